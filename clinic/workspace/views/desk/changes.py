"""Moving and cancelling a visit at the desk, and its printable slip."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format

from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_cancel_at_desk, appointment_reschedule
from clinic.core.errors import ApplicationError, InvalidInput
from clinic.portal.errors import form_add_error, user_message
from clinic.workspace.decorators import staff_view
from clinic.workspace.views.desk import DESK_VIEW
from clinic.workspace.views.desk.booking import book_slot, picker_context
from clinic.workspace.views.desk.forms import BookForm, CancelForm

CHANGE = ("patients.view_patient", "appointments.change_appointment")


def _appointment(appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "doctor"), pk=appointment_id
    )


def _patient_url(appointment) -> str:
    return reverse("workspace:desk_patient", args=[appointment.patient_id])


@staff_view(*CHANGE)
def move(request, appointment_id: int):
    """Pick a free slot (this doctor's or another's); the old slot is kept until the new
    one holds (appointment_reschedule moves the row in one UPDATE)."""
    appointment = _appointment(appointment_id)
    if not appointment.is_upcoming:
        messages.error(request, "Only an upcoming booked appointment can be moved.")
        return redirect(_patient_url(appointment))
    status = 200
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():

            def act(doctor, day, start, reason):
                return appointment_reschedule(
                    patient=appointment.patient, appointment_id=appointment.pk, day=day,
                    start=start, doctor=doctor, actor=request.user,
                )

            moved, status = book_slot(request, form=form, act=act)
            if moved is not None:
                messages.success(
                    request,
                    f"Moved {moved.patient.name}'s appointment to {moved.doctor.name} on "
                    f"{date_format(moved.date, 'l j F Y')} at {moved.slot_label}: "
                    f"token {moved.slot_number}.",
                )
                return redirect(f"{_patient_url(moved)}?booked={moved.pk}")
        else:
            messages.error(request, "Pick one of the free slots.")
            status = 400
    context = {
        "appointment": appointment,
        **picker_context(request, initial_doctor=appointment.doctor,
                         initial_date=appointment.date),
    }
    return render(request, "workspace/desk/move.html", context, status=status)


@staff_view(*CHANGE)
def cancel(request, appointment_id: int):
    """Cancel for the clinic, with a reason."""
    appointment = _appointment(appointment_id)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                appointment_cancel_at_desk(
                    appointment_id=appointment.pk, reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except InvalidInput as exc:
                form_add_error(form, exc)
            except ApplicationError as exc:
                messages.error(request, user_message(exc))
                return redirect(_patient_url(appointment))
            else:
                messages.success(
                    request,
                    f"Cancelled {appointment.patient.name}'s appointment with "
                    f"{appointment.doctor.name} on {date_format(appointment.date, 'j F Y')} at "
                    f"{appointment.slot_label}.",
                )
                return redirect(_patient_url(appointment))
    context = {"appointment": appointment, "form": form}
    return render(request, "workspace/desk/cancel.html", context, status=status)


@staff_view(*DESK_VIEW)
def slip(request, appointment_id: int):
    """The appointment slip to print and hand over: who, with whom, where, when, token."""
    appointment = _appointment(appointment_id)
    return render(request, "workspace/desk/slip.html", {"appointment": appointment})
