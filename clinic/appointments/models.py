import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.core import clock
from clinic.core.models import BaseModel


class Status(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show", "No-show"


class CancelledBy(models.TextChoices):
    PATIENT = "patient"
    CLINIC = "clinic"


class AppointmentQuerySet(models.QuerySet):
    def active_slots(self):
        """Appointments that hold their slot (the partial unique constraints' condition)."""
        return self.filter(status=Status.BOOKED)

    def upcoming(self):
        """Booked and not yet started."""
        now = clock.now()
        return self.filter(status=Status.BOOKED).filter(
            Q(date__gt=now.date()) | Q(date=now.date(), start__gt=now.time())
        )

    def past_or_cancelled(self):
        """Everything that is no longer upcoming: the patient's history."""
        now = clock.now()
        return self.exclude(
            Q(status=Status.BOOKED)
            & (Q(date__gt=now.date()) | Q(date=now.date(), start__gt=now.time()))
        )


class Appointment(BaseModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    doctor = models.ForeignKey(
        "doctors.Doctor", on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField()
    start = models.TimeField()
    slot_number = models.PositiveSmallIntegerField(
        help_text="Position of the slot in the doctor's day (the patient's token number)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    reason = models.CharField("reason for visit", max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=7, choices=CancelledBy.choices, blank=True)
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            # The database, not the code, decides who gets a slot: under any
            # concurrency one active appointment per doctor slot ...
            models.UniqueConstraint(
                fields=["doctor", "date", "start"],
                condition=Q(status="booked"),
                name="appointment_one_active_per_doctor_slot",
            ),
            # ... and a patient is in one place at a time.
            models.UniqueConstraint(
                fields=["patient", "date", "start"],
                condition=Q(status="booked"),
                name="appointment_one_active_per_patient_time",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "date", "start"], name="appointment_patient_when"),
            models.Index(fields=["doctor", "date"], name="appointment_doctor_day"),
            models.Index(fields=["status", "date"], name="appointment_status_day"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.date} {clock.slot_label(self.start)} {self.doctor_id}"

    @property
    def starts_at(self) -> dt.datetime:
        return clock.combine(self.date, self.start)

    @property
    def slot_label(self) -> str:
        return clock.slot_label(self.start)

    @property
    def is_upcoming(self) -> bool:
        return self.status == Status.BOOKED and self.starts_at > clock.now()
