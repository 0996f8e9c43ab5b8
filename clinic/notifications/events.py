"""What the domain tells the notification system. Called after commit, with ids only.

Each event queues email and SMS messages for the patient. An event never
raises into its caller: the booking or cancellation is already committed and a
notification problem must not turn it into an error page.
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


def _appointment(appointment_id: int) -> Appointment | None:
    return Appointment.objects.select_related("patient__user").filter(pk=appointment_id).first()


@_never_raises
def appointment_booked(*, appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    if appointment is not None:
        patient_notify(
            patient=appointment.patient,
            template="appointment_booked",
            context={"appointment_id": appointment.pk},
            key=f"appointment_booked:{appointment.pk}",
        )


@_never_raises
def appointment_cancelled(*, appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    if appointment is not None:
        patient_notify(
            patient=appointment.patient,
            template="appointment_cancelled",
            context={"appointment_id": appointment.pk},
            key=f"appointment_cancelled:{appointment.pk}",
        )


@_never_raises
def lab_report_ready(*, report_id: int) -> None:
    report = LabReport.objects.select_related("patient__user").filter(pk=report_id).first()
    if report is not None:
        patient_notify(
            patient=report.patient,
            template="lab_report_ready",
            context={"report_id": report.pk},
            key=f"lab_report_ready:{report.pk}",
        )
