from django.db.models import QuerySet

from clinic.labs.models import LabReport
from clinic.patients.models import Patient


def lab_report_list_for(*, patient: Patient) -> QuerySet[LabReport]:
    """The patient's lab reports, newest first, with patient and doctor joined."""
    return (
        LabReport.objects.filter(patient=patient)
        .select_related("patient__user", "doctor")
        .order_by("-date", "-pk")
    )
