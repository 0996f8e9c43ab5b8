from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.files import lab_report_key
from clinic.core.models import BaseModel


class LabStatus(models.TextChoices):
    ORDERED = "ordered"
    GENERATED = "generated"


class LabReport(BaseModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lab_reports"
    )
    doctor = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        related_name="lab_reports",
        help_text="Ordered by.",
    )
    test = models.CharField(max_length=120, help_text="The test, e.g. MRI, CBC (the seed's 'lab').")
    date = models.DateField("date of report")
    status = models.CharField(max_length=10, choices=LabStatus.choices, default=LabStatus.ORDERED)
    file = models.FileField(upload_to=lab_report_key, blank=True, help_text="Image or PDF.")
    original_name = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["patient", "-date"], name="labreport_patient_date")]

    def __str__(self):
        return f"{self.test} {self.date}"

    @property
    def is_generated(self) -> bool:
        return is_generated(status=self.status, file_name=self.file.name)


def is_generated(*, status: str, file_name: str | None) -> bool:
    """A report counts as generated once its status says so and a file is stored."""
    return status == LabStatus.GENERATED and bool(file_name)
