"""What patients hear about their lab reports; registered in LabsConfig.ready().

lab_report_release emits `event_emit(name=REPORT_READY, object_id=report.pk)`
inside the transaction that releases the report: a result is announced only
once a doctor has released it, never when the lab's file arrives.
"""

from clinic.labs.models import LabReport
from clinic.notifications import registry
from clinic.notifications.services import patient_notify

REPORT_READY = "lab_report_ready"


def _report(report_id: int) -> LabReport | None:
    """The report if it is released; None once it is not (entered in error meanwhile)."""
    report = LabReport.objects.select_related("patient__user").filter(pk=report_id).first()
    return report if report is not None and report.is_released else None


def _report_ready(ctx: dict) -> dict | None:
    report = _report(ctx["report_id"])
    if report is None:
        return None
    return {"report": report, "patient": report.patient}


def report_notify(event) -> None:
    report = _report(event.object_id)
    if report is not None:
        patient_notify(
            patient=report.patient,
            template=event.name,
            context={"report_id": report.pk},
            key=f"{event.name}:{report.pk}",
        )


def register() -> None:
    registry.message_type_register(template=REPORT_READY, builder=_report_ready)
    registry.event_handler_register(name=REPORT_READY, handler=report_notify)
