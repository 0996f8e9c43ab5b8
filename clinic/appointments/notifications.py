"""What patients hear about their appointments: the message builders and event handlers.

Registered with clinic.notifications in AppointmentsConfig.ready(). The
services emit the events inside their transactions:
`event_emit(name=BOOKED, object_id=appointment.pk)`.
"""

from clinic.appointments.models import Appointment, AppointmentMove, CancelledBy, Status
from clinic.notifications import registry
from clinic.notifications.services import patient_notify

BOOKED = "appointment_booked"
CANCELLED = "appointment_cancelled"
REMINDER = "appointment_reminder"
RESCHEDULED = "appointment_rescheduled"


def _appointment(ctx: dict) -> Appointment | None:
    return (
        Appointment.objects.select_related("patient__user", "doctor")
        .filter(pk=ctx["appointment_id"])
        .first()
    )


def _appointment_context(appointment: Appointment) -> dict:
    from clinic.core.links import portal_url

    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "doctor": appointment.doctor,
        # The site of the visit (address, map link), and its page in the portal.
        "location": appointment.location,
        "appointment_url": portal_url("appointment_detail", appointment.pk),
    }


def _ics(appointment: Appointment, method: str) -> tuple:
    """The appointment as a calendar invitation (REQUEST) or its withdrawal (CANCEL)."""
    from clinic.appointments.calendar import appointments_calendar

    content = appointments_calendar([appointment], method=method).decode()
    name = "cancel.ics" if method == "CANCEL" else "appointment.ics"
    return (name, content, "text/calendar")


def _booked(ctx: dict) -> dict | None:
    appointment = _appointment(ctx)
    # A confirmation that arrives after the cancellation would only confuse.
    if appointment is None or appointment.status != Status.BOOKED:
        return None
    return {**_appointment_context(appointment), "attachments": [_ics(appointment, "REQUEST")]}


def _reminder(ctx: dict) -> dict | None:
    appointment = _appointment(ctx)
    if appointment is None or not appointment.is_upcoming:
        return None
    return _appointment_context(appointment)


def _cancelled(ctx: dict) -> dict | None:
    appointment = _appointment(ctx)
    if appointment is None or appointment.status != Status.CANCELLED:
        return None
    return {
        **_appointment_context(appointment),
        "by_clinic": appointment.cancelled_by == CancelledBy.CLINIC,
        "attachments": [_ics(appointment, "CANCEL")],
    }


def _rescheduled(ctx: dict) -> dict | None:
    move = (
        AppointmentMove.objects.select_related(
            "appointment__patient__user", "appointment__doctor", "from_doctor"
        )
        .filter(pk=ctx["move_id"])
        .first()
    )
    if move is None:
        return None
    appointment = move.appointment
    # Only the latest move of a still-booked appointment: an older one would send
    # the patient to a time that no longer holds.
    latest = appointment.moves.order_by("-pk").values_list("pk", flat=True).first()
    if appointment.status != Status.BOOKED or latest != move.pk:
        return None
    # The same UID with a higher SEQUENCE: calendar apps move the event they hold.
    return {
        **_appointment_context(appointment),
        "move": move,
        "attachments": [_ics(appointment, "REQUEST")],
    }


def move_notify(event) -> None:
    """The handler of RESCHEDULED: one "moved from X to Y" message per move."""
    moves = AppointmentMove.objects.select_related("appointment__patient__user")
    move = moves.filter(pk=event.object_id).first()
    if move is not None:
        patient_notify(
            patient=move.appointment.patient,
            template=event.name,
            context={"move_id": move.pk},
            key=f"{event.name}:{move.pk}",
        )


def appointment_notify(event) -> None:
    """The handler of BOOKED and CANCELLED: the event's template to the appointment's patient.

    Each happens once per appointment, so the appointment is the key.
    """
    appointment = (
        Appointment.objects.select_related("patient__user").filter(pk=event.object_id).first()
    )
    if appointment is not None:
        patient_notify(
            patient=appointment.patient,
            template=event.name,
            context={"appointment_id": appointment.pk},
            key=f"{event.name}:{appointment.pk}",
        )


def register() -> None:
    registry.message_type_register(template=BOOKED, builder=_booked)
    registry.message_type_register(template=CANCELLED, builder=_cancelled)
    registry.message_type_register(template=REMINDER, builder=_reminder)
    registry.event_handler_register(name=BOOKED, handler=appointment_notify)
    registry.event_handler_register(name=CANCELLED, handler=appointment_notify)
    registry.message_type_register(template=RESCHEDULED, builder=_rescheduled)
    registry.event_handler_register(name=RESCHEDULED, handler=move_notify)
