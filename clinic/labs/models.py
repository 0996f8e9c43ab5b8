from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clinic.core.files import lab_report_key
from clinic.core.models import BaseModel, KeptQuerySet, KeptRecordMixin
from clinic.core.uploads import DocumentField


class LabStatus(models.TextChoices):
    """ordered -> resulted (the lab's file) -> released (a doctor's review); see docs/records.md.

    Only a released report reaches the patient. Any state may be marked entered in
    error: the report is kept, with its history, but no longer shown to the patient.
    """

    ORDERED = "ordered"
    RESULTED = "resulted"
    RELEASED = "released"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class LabReport(KeptRecordMixin, BaseModel):
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
    status = models.CharField(max_length=20, choices=LabStatus.choices, default=LabStatus.ORDERED)
    file = DocumentField(upload_to=lab_report_key, blank=True, help_text="Image or PDF.")
    original_name = models.CharField(max_length=200, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        "doctors.Doctor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The doctor who reviewed and released it (empty for reports released "
        "before reviews were recorded).",
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error_reason = models.CharField("why entered in error", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["patient", "-date"], name="labreport_patient_date")]
        permissions = [("release_labreport", "Can review and release lab results")]
        constraints = [
            # A result is a file: resulted and released reports always have one ...
            models.CheckConstraint(
                condition=~Q(status__in=["resulted", "released"]) | ~Q(file=""),
                name="labreport_result_has_file",
            ),
            # ... and a released one says when it was released.
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_at__isnull=False),
                name="labreport_release_is_dated",
            ),
        ]

    def __str__(self):
        return f"{self.test} {self.date}"

    @property
    def is_released(self) -> bool:
        return is_released(status=self.status, file_name=self.file.name)


def is_released(*, status: str, file_name: str | None) -> bool:
    """The patient may see the report's result: a doctor released it, and it has a file."""
    return status == LabStatus.RELEASED and bool(file_name)
