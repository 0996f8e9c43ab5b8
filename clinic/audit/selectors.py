"""Reading the record access log: for the staff's page and for the patient's own."""

from django.db.models import Prefetch, QuerySet

from clinic.audit.models import RecordAccess
from clinic.staff.selectors import staff_groups_queryset


def record_accesses_of(*, patient_id: int) -> QuerySet[RecordAccess]:
    """Every read of the patient's record, newest first, with each reader and their roles."""
    return (
        RecordAccess.objects.filter(patient_id=patient_id)
        .select_related("user")
        .prefetch_related(Prefetch("user__groups", queryset=staff_groups_queryset()))
    )


def record_accesses_by_clinic(*, patient_id: int) -> QuerySet[RecordAccess]:
    """The reads the patient is shown: by clinic staff, not by the patient's own apps."""
    return record_accesses_of(patient_id=patient_id).filter(user__is_staff=True)
