from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    """Where a record was opened from."""

    WORKSPACE = "workspace"
    FHIR = "fhir", "FHIR API"
    API = "api", "API"
    ADMIN = "admin"


class RecordAccess(models.Model):
    """One read of a patient's record: who, when, which patient, from where and how.

    Written by clinic.audit.services.log_record_access only; never changed or deleted.
    """

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="record_accesses"
    )
    ip_address = models.GenericIPAddressField("from address")
    via = models.CharField(max_length=12, choices=Channel.choices)
    # The page or endpoint (its path, never the query string: a search may hold names).
    path = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "record accesses"
        indexes = [models.Index(fields=["patient", "-at"], name="recordaccess_patient_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} patient {self.patient_id} via {self.via}"
