"""What patients hear about their appointments: the message builders and event handlers.

Registered with clinic.notifications in AppointmentsConfig.ready(). The
services emit the events inside their transactions:
`event_emit(name=BOOKED, object_id=appointment.pk)`.
"""

from clinic.appointments.models import Appointment, CancelledBy, Status
from clinic.notifications import registry
from clinic.notifications.services import patient_notify

BOOKED = "appointment_booked"
CANCELLED = "appointment_cancelled"
REMINDER = "appointment_reminder"


def _appointment(ctx: dict) -> Appointment | None:
    return (
        Appointment.objects.select_related("patient__user", "doctor")
        .filter(pk=ctx["appointment_id"])
        .first()
    )


def _appointment_context(appointment: Appointment) -> dict:
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "doctor": appointment.doctor,
    }


def _booked(ctx: dict) -> dict | None:
    appointment = _appointment(ctx)
    # A confirmation that arrives after the cancellation would only confuse.
    if appointment is None or appointment.status != Status.BOOKED:
        return None
    return _appointment_context(appointment)


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
    }


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
