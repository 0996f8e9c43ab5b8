from django.db.models import QuerySet

from clinic.labs.models import LabReport
from clinic.patients.models import Patient


def lab_report_list_for(*, patient: Patient) -> QuerySet[LabReport]:
    """The patient's lab reports, newest first, with the doctor joined.

    Each row's `.patient` is `patient` itself (the related manager), not a joined copy.
    """
    return patient.lab_reports.select_related("doctor").order_by("-date", "-pk")
