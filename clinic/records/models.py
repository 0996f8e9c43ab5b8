from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.files import scan_key
from clinic.core.models import BaseModel
from clinic.core.uploads import DocumentField


class Consultation(BaseModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consultations"
    )
    doctor = models.ForeignKey(
        "doctors.Doctor", on_delete=models.PROTECT, related_name="consultations"
    )
    appointment = models.OneToOneField(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation",
    )
    date = models.DateField(db_index=True)
    purpose = models.CharField(max_length=200)
    diagnosis = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    scan = DocumentField(
        upload_to=scan_key, blank=True, help_text="An optional scan (image or PDF)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["patient", "-date"], name="consultation_patient_date")]

    def __str__(self):
        return f"{self.date} {self.purpose}"


class PrescriptionLine(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    medicine = models.CharField(max_length=120)
    dose = models.CharField(max_length=60, help_text="e.g. 500 mg")
    frequency = models.CharField(max_length=60, help_text="e.g. twice a day")
    duration = models.CharField(max_length=60, help_text="e.g. 5 days")
    instructions = models.CharField(max_length=200, blank=True, help_text="e.g. after food")
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.medicine} {self.dose}"
