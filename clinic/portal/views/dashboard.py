from django.shortcuts import render

from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.labs.selectors import lab_report_list_for
from clinic.portal.decorators import patient_required


@patient_required
def dashboard(request):
    patient = request.patient
    upcoming = appointment_upcoming_for(patient=patient)
    context = {
        "patient": patient,
        "next_appointment": upcoming.first(),
        "upcoming_count": upcoming.count(),
        "past_count": appointment_history_for(patient=patient).count(),
        "report_count": lab_report_list_for(patient=patient).count(),
    }
    return render(request, "portal/dashboard.html", context)
