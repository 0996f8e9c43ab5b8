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


def lab_queue() -> QuerySet[LabReport]:
    """The lab's work: tests ordered or resulted (a result may be replaced until a doctor
    releases it), oldest first, with patient and ordering doctor joined."""
    return (
        LabReport.objects.filter(status__in=[LabStatus.ORDERED, LabStatus.RESULTED])
        .select_related("patient", "doctor")
        .order_by("date", "pk")
    )


def lab_reports_to_review(*, doctor_id: int) -> QuerySet[LabReport]:
    """Results of the tests a doctor ordered that wait for the doctor's review."""
    return (
        LabReport.objects.filter(doctor_id=doctor_id, status=LabStatus.RESULTED)
        .select_related("patient")
        .order_by("resulted_at", "pk")
    )


def lab_reports_of_patient(*, patient_id: int) -> QuerySet[LabReport]:
    """Every live report of a patient for the clinic, released or not, newest first."""
    return (
        LabReport.objects.filter(patient_id=patient_id)
        .exclude(status=LabStatus.ENTERED_IN_ERROR)
        .select_related("doctor", "released_by")
        .order_by("-date", "-pk")
    )
