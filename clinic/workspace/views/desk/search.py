from django.shortcuts import get_object_or_404, render

from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.audit.models import Channel
from clinic.audit.services import log_record_access
from clinic.patients.models import Patient
from clinic.patients.search import SEARCH_LIMIT, patient_search
from clinic.workspace.decorators import staff_view
from clinic.workspace.views.desk import DESK_VIEW

# Past visits shown on the patient's page, newest first.
HISTORY_SHOWN = 20


@staff_view(*DESK_VIEW)
def desk(request):
    """Find a patient by name, phone, record number or date of birth (never a doctor's name)."""
    query = request.GET.get("q", "").strip()
    results = list(patient_search(query=query)) if query else []
    context = {"query": query, "results": results, "limit": SEARCH_LIMIT}
    template = "workspace/desk/_results.html" if request.headers.get("HX-Request") else (
        "workspace/desk/search.html"
    )
    return render(request, template, context)


@staff_view(*DESK_VIEW)
def patient(request, patient_id: int):
    """Contact details and appointments: what the desk needs, never consultation notes.
    The read is logged in the record's access log."""
    record = get_object_or_404(Patient.objects.select_related("user"), pk=patient_id)
    log_record_access(request=request, patients=record, via=Channel.WORKSPACE)
    upcoming = list(appointment_upcoming_for(patient=record))
    booked = request.GET.get("booked", "")
    context = {
        "patient": record,
        "upcoming": upcoming,
        # Just booked or moved here: its slip is one click away.
        "just_booked": next((a for a in upcoming if str(a.pk) == booked), None),
        "history": list(appointment_history_for(patient=record)[:HISTORY_SHOWN]),
        "history_shown": HISTORY_SHOWN,
    }
    return render(request, "workspace/desk/patient.html", context)
