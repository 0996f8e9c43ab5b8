from django.db.models import QuerySet

from clinic.patients.models import Patient
from clinic.records.models import Consultation, PrescriptionLine


def consultation_list_for(*, patient: Patient) -> QuerySet[Consultation]:
    """The patient's consultations, newest first, with doctor and prescription lines loaded."""
    # Each row's `.patient` is `patient` itself (the related manager), not a joined copy.
    return (
        patient.consultations.select_related("doctor")
        .prefetch_related("lines")
        .order_by("-date", "-pk")
    )


def prescription_lines_of(*, consultation_ids: list[int]) -> QuerySet[PrescriptionLine]:
    """The lines of these consultations in prescription order, as `consultation.lines` has them.

    For lists built from `.values()`, where consultation_list_for's prefetch cannot apply.
    """
    return PrescriptionLine.objects.filter(consultation_id__in=consultation_ids).order_by(
        "position", "pk"
    )
