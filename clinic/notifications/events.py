"""What the domain tells the notification system. Called after commit, with ids only.

An event only enqueues the `notify` task: with the database backend the request
that booked or cancelled pays for one task row, and a worker loads the object,
renders the messages and queues them in the outbox (bench/: a booking's request
went from 17 queries to 9). With the immediate backend the task runs here, as
it always did. Each event queues email and SMS messages for the patient. An
event never raises into its caller: the booking or cancellation is already
committed and a notification problem must not turn it into an error page.
"""

import functools
import logging

from clinic.appointments.models import Appointment
from clinic.labs.models import LabReport
from clinic.notifications.services import patient_notify

logger = logging.getLogger(__name__)


def _never_raises(func):
    @functools.wraps(func)
    def wrapper(**kwargs):
        try:
            func(**kwargs)
        except Exception:
            logger.exception("Notification event %s(%s) failed", func.__name__, kwargs)

    return wrapper


def _later(event: str, object_id: int) -> None:
    from clinic.notifications.tasks import notify

    notify.enqueue(event=event, object_id=object_id)


@_never_raises
def appointment_booked(*, appointment_id: int) -> None:
    _later("appointment_booked", appointment_id)


@_never_raises
def appointment_cancelled(*, appointment_id: int) -> None:
    _later("appointment_cancelled", appointment_id)


@_never_raises
def lab_report_ready(*, report_id: int) -> None:
    _later("lab_report_ready", report_id)


def _appointment_notify(template: str, appointment_id: int) -> None:
    appointments = Appointment.objects.select_related("patient__user")
    appointment = appointments.filter(pk=appointment_id).first()
    if appointment is not None:
        patient_notify(
            patient=appointment.patient,
            template=template,
            context={"appointment_id": appointment.pk},
            key=f"{template}:{appointment.pk}",
        )


def _lab_report_notify(template: str, report_id: int) -> None:
    report = LabReport.objects.select_related("patient__user").filter(pk=report_id).first()
    if report is not None:
        patient_notify(
            patient=report.patient,
            template=template,
            context={"report_id": report.pk},
            key=f"{template}:{report.pk}",
        )


_HANDLERS = {
    "appointment_booked": _appointment_notify,
    "appointment_cancelled": _appointment_notify,
    "lab_report_ready": _lab_report_notify,
}


@_never_raises
def event_notify(*, event: str, object_id: int) -> None:
    """The `notify` task's work: queue the event's messages for the patient."""
    _HANDLERS[event](event, object_id)
