"""The patient's appointments: active ones (with cancel), one in detail, and the history."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.appointments.services import appointment_cancel
from clinic.core.errors import Conflict, NotFound
from clinic.portal.decorators import patient_required
from clinic.portal.errors import user_message


@patient_required
def appointments(request):
    return render(
        request,
        "portal/appointments/list.html",
        {"tab": "active", "appointments": appointment_upcoming_for(patient=request.patient)},
    )


@patient_required
def appointments_past(request):
    return render(
        request,
        "portal/appointments/list.html",
        {"tab": "past", "appointments": appointment_history_for(patient=request.patient)},
    )


@patient_required
def appointment_detail(request, appointment_id: int):
    """What, when and where of one of the patient's appointments; the booking lands here."""
    appointment = (
        request.patient.appointments.select_related("doctor").filter(pk=appointment_id).first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    upcoming = appointment_upcoming_for(patient=request.patient).filter(pk=appointment.pk)
    context = {
        "appointment": appointment,
        "is_upcoming": upcoming.exists(),
        "just_booked": request.GET.get("booked") == "1",
    }
    return render(request, "portal/appointments/detail.html", context)


@patient_required
def appointment_cancel_view(request, appointment_id: int):
    """GET asks for confirmation; POST cancels. Another patient's id is a 404."""
    appointment = (
        appointment_upcoming_for(patient=request.patient).filter(pk=appointment_id).first()
    )
    if request.method == "POST":
        try:
            appointment_cancel(patient=request.patient, ids=[appointment_id], actor=request.user)
        except NotFound:
            if appointment is None:
                raise Http404("No such active appointment.") from None
            messages.error(request, "This appointment can no longer be cancelled.")
        except Conflict as exc:
            messages.error(request, user_message(exc))
        else:
            messages.success(request, "Your appointment has been cancelled.")
        return redirect("portal:appointments")
    if appointment is None:
        raise Http404("No such active appointment.")
    return render(request, "portal/appointments/cancel.html", {"appointment": appointment})
