"""Each message is a named template set; this module loads its data at send time.

`notifications/<name>/subject.txt`, `body.txt`, `body.html` (email) and
`sms.txt` (SMS) are rendered from the ids stored on the outbox row. A context
builder returns None when the message is no longer worth sending.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from clinic.appointments.models import Appointment, CancelledBy, Status
from clinic.labs.models import LabReport


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


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


def _lab_report(ctx: dict) -> dict | None:
    report = LabReport.objects.select_related("patient__user").filter(pk=ctx["report_id"]).first()
    if report is None:
        return None
    return {"report": report, "patient": report.patient}


def _otp(ctx: dict) -> dict | None:
    # The code is drawn now, by the sender, and exists only in this process's
    # memory: the database holds its keyed hash, never the code.
    from clinic.otp.services import otp_code_draw

    code = otp_code_draw(otp_id=ctx["otp_id"], generation=ctx["generation"])
    if code is None:
        return None
    return {"code": code, "minutes": max(settings.OTP_TTL_SECONDS // 60, 1)}


BUILDERS = {
    "otp_code": _otp,
    "appointment_booked": _booked,
    "appointment_cancelled": _cancelled,
    "appointment_reminder": _reminder,
    "lab_report_ready": _lab_report,
}


def render(*, template: str, channel: str, context: dict) -> Rendered | None:
    data = BUILDERS[template](context)
    if data is None:
        return None
    data = {**data, "clinic": settings.CLINIC}
    base = f"notifications/{template}"
    if channel == "sms":
        return Rendered("", "", "", render_to_string(f"{base}/sms.txt", data).strip())
    return Rendered(
        subject=" ".join(render_to_string(f"{base}/subject.txt", data).split()),
        text=render_to_string(f"{base}/body.txt", data).strip() + "\n",
        html=render_to_string(f"{base}/body.html", data),
        sms="",
    )
