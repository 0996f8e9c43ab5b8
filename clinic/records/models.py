from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clinic.core.files import scan_key
from clinic.core.models import BaseModel, KeptQuerySet, KeptRecordMixin
from clinic.core.uploads import DocumentField
from clinic.records.icd10 import validate_icd10


class RecordQuerySet(KeptQuerySet):
    def live(self):
        """Rows not marked entered in error: what the patient sees."""
        return self.filter(entered_in_error_at__isnull=True)


class EnteredInErrorFields(models.Model):
    """A record that should never have existed is kept, flagged, with who, when and why."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    error_reason = models.CharField(
        "why entered in error", max_length=200, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


def _error_is_explained(name: str) -> models.CheckConstraint:
    # Flagged rows say why; live rows carry no reason.
    return models.CheckConstraint(
        condition=Q(entered_in_error_at__isnull=True, error_reason="")
        | (Q(entered_in_error_at__isnull=False) & ~Q(error_reason="")),
        name=name,
    )


class Consultation(KeptRecordMixin, EnteredInErrorFields, BaseModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consultations"
    )
    doctor = models.ForeignKey(
        "doctors.Doctor", on_delete=models.PROTECT, related_name="consultations"
    )
    # Null only on rows from before consultations were started from a visit; the
    # database refuses an appointment of another patient or doctor (integrity.py).
    appointment = models.ForeignKey(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    date = models.DateField(db_index=True)
    purpose = models.CharField(max_length=200)
    # TextField's max_length bounds its form only: the validator bounds every write.
    diagnosis = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    icd10 = models.CharField(
        "ICD-10 code",
        max_length=8,
        blank=True,
        validators=[validate_icd10],
        help_text="Optional, e.g. J06.9.",
    )
    notes = models.TextField(blank=True, max_length=20000, validators=[MaxLengthValidator(20000)])
    scan = DocumentField(
        upload_to=scan_key, blank=True, help_text="An optional scan (image or PDF)."
    )
    history = HistoricalRecords()

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["patient", "-date"], name="consultation_patient_date")]
        constraints = [
            # One live consultation per visit; one entered in error leaves room for another.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(entered_in_error_at__isnull=True),
                name="consultation_one_live_per_appointment",
            ),
            _error_is_explained("consultation_error_is_explained"),
        ]
        # The workspace's roles (clinic/staff/roles.py): the front desk sees that a visit
        # happened, not what was said; a doctor reads the records of the patients they see.
        permissions = [
            ("view_consultation_notes", "Can read notes, diagnoses and prescriptions"),
            ("view_all_records", "Can read the full record of any patient"),
        ]

    def __str__(self):
        return f"{self.date} {self.purpose}"


class PrescriptionLine(KeptRecordMixin, EnteredInErrorFields, models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    medicine = models.CharField(max_length=120)
    dose = models.CharField(max_length=60, help_text="e.g. 500 mg")
    frequency = models.CharField(max_length=60, help_text="e.g. twice a day")
    duration = models.CharField(max_length=60, help_text="e.g. 5 days")
    instructions = models.CharField(max_length=200, blank=True, help_text="e.g. after food")
    history = HistoricalRecords()

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [_error_is_explained("prescription_line_error_is_explained")]

    def __str__(self):
        return f"{self.medicine} {self.dose}"
