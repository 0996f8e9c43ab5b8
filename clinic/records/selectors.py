from django.db.models import QuerySet

from clinic.patients.models import Patient
from clinic.records.models import Consultation


def consultation_list_for(*, patient: Patient) -> QuerySet[Consultation]:
    """The patient's consultations, newest first, with doctor and prescription lines loaded."""
    # Each row's `.patient` is `patient` itself (the related manager), not a joined copy.
    return (
        patient.consultations.select_related("doctor")
        .prefetch_related("lines")
        .order_by("-date", "-pk")
    )
