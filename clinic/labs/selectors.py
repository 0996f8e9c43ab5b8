from django.db.models import QuerySet

from clinic.labs.models import LabReport, LabStatus
from clinic.patients.models import Patient


def lab_report_list_for(*, patient: Patient) -> QuerySet[LabReport]:
    """The lab reports the patient sees, newest first, with the doctor joined.

    Reports entered in error are left out. Ordered and resulted reports are listed
    as pending; only a released one (LabReport.is_released) shows its result, so
    callers offer the file of released reports only. Each row's `.patient` is
    `patient` itself (the related manager), not a joined copy.
    """
    return (
        patient.lab_reports.exclude(status=LabStatus.ENTERED_IN_ERROR)
        .select_related("doctor")
        .order_by("-date", "-pk")
    )


def lab_report_released_for(*, patient: Patient, report_id: int) -> LabReport | None:
    """The patient's released report `report_id`, or None (unknown, foreign or unreleased)."""
    return (
        lab_report_list_for(patient=patient)
        .filter(pk=report_id, status=LabStatus.RELEASED)
        .exclude(file="")
        .first()
    )
