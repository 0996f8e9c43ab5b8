"""Move an upcoming visit to another date or time: one atomic reschedule.

appointment_reschedule (clinic.appointments.services) moves the booking in
place, so the patient never holds two slots nor loses the old one on a clash,
and gets one "moved" message. The picker is the booking's.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode

from clinic.appointments.selectors import appointment_upcoming_for
from clinic.appointments.services import appointment_reschedule
from clinic.core import clock
from clinic.core.errors import Conflict, InvalidInput, NotFound
from clinic.portal.decorators import patient_required
from clinic.portal.errors import user_message
from clinic.portal.forms import SlotForm
from clinic.portal.views.booking import render_picker


def _upcoming_or_404(patient, appointment_id: int):
    appointment = appointment_upcoming_for(patient=patient).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("No such upcoming appointment.")
    return appointment


def _when(day, start) -> str:
    return f"{date_format(day, 'l j F Y')} at {clock.slot_label(start)}"


def _picker_url(appointment, day=None) -> str:
    url = reverse("portal:appointment_move", kwargs={"appointment_id": appointment.pk})
    return f"{url}?{urlencode({'date': day.isoformat()})}" if day else url


@patient_required
def appointment_move(request, appointment_id: int):
    """The doctor's free dates and times to move the visit to."""
    appointment = _upcoming_or_404(request.patient, appointment_id)
    return render_picker(
        request,
        doctor=appointment.doctor,
        page="portal/appointments/move.html",
        picker_url=_picker_url(appointment),
        confirm_url=reverse(
            "portal:appointment_move_confirm", kwargs={"appointment_id": appointment.pk}
        ),
        extra={"appointment": appointment, "moving": True},
    )


@patient_required
def appointment_move_confirm(request, appointment_id: int):
    """GET shows the move; POST makes it through appointment_reschedule."""
    appointment = _upcoming_or_404(request.patient, appointment_id)
    form = SlotForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Please pick a date and a free time.")
        return redirect(_picker_url(appointment, form.cleaned_data.get("date")))
    day, start = form.cleaned_data["date"], form.cleaned_data["time"]
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        was = _when(appointment.date, appointment.start)
        try:
            moved = appointment_reschedule(
                patient=request.patient,
                appointment_id=appointment.pk,
                day=day,
                start=start,
                actor=request.user,
            )
        except (Conflict, InvalidInput, NotFound) as exc:
            # Taken meanwhile, a clash, or no longer movable: nothing has changed.
            messages.error(request, user_message(exc))
            return redirect(_picker_url(appointment, day))
        messages.success(request, f"Moved from {was} to {_when(moved.date, moved.start)}.")
        return redirect("portal:appointment_detail", appointment_id=moved.pk)
    context = {"appointment": appointment, "day": day, "start": start}
    return render(request, "portal/appointments/move_confirm.html", context)
