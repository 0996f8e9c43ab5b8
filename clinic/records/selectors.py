from django.db.models import QuerySet

from clinic.patients.models import Patient
from clinic.records.models import Consultation


def consultation_list_for(*, patient: Patient) -> QuerySet[Consultation]:
    """The patient's consultations, newest first, with doctor and prescription lines loaded."""
    return (
        Consultation.objects.filter(patient=patient)
        .select_related("patient__user", "doctor")
        .prefetch_related("lines")
        .order_by("-date", "-pk")
    )
