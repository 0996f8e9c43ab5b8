import datetime as dt

from django.db import models
from django.db.models import F, Q

from clinic.core import clock
from clinic.core.models import BaseModel


class EntryStatus(models.TextChoices):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# The entries still in the queue: a patient waits for a doctor once per date range.
LIVE_STATUSES = (EntryStatus.WAITING, EntryStatus.OFFERED)


class WaitlistEntry(BaseModel):
    """A patient waiting for a free slot of a doctor between two dates.

    While `offered`, the entry holds one slot (offer_date, offer_start) for its
    patient until offer_expires_at: the slot is missing from everyone else's
    free slots and their bookings of it are refused.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    doctor = models.ForeignKey(
        "doctors.Doctor", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    first_day = models.DateField("from")
    last_day = models.DateField("to")
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.WAITING
    )
    offer_date = models.DateField(null=True, blank=True)
    offer_start = models.TimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offers_made = models.PositiveSmallIntegerField(default=0, editable=False)
    appointment = models.ForeignKey(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The booking its claim made.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist entries"
        constraints = [
            # One slot is offered to at most one patient at a time, whatever races.
            models.UniqueConstraint(
                fields=["doctor", "offer_date", "offer_start"],
                condition=Q(status="offered"),
                name="waitlist_one_offer_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(first_day__lte=F("last_day")), name="waitlist_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | Q(
                    offer_date__isnull=False,
                    offer_start__isnull=False,
                    offer_expires_at__isnull=False,
                ),
                name="waitlist_offer_is_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["doctor", "status", "first_day"], name="waitlist_queue"),
            models.Index(fields=["status", "offer_expires_at"], name="waitlist_offer_expiry"),
        ]

    def __str__(self):
        return (
            f"#{self.pk} {self.patient_id} for {self.doctor_id} {self.first_day}..{self.last_day}"
        )

    @property
    def offer_starts_at(self) -> dt.datetime | None:
        if self.offer_date is None or self.offer_start is None:
            return None
        return clock.combine(self.offer_date, self.offer_start)

    @property
    def offer_slot_label(self) -> str:
        return clock.slot_label(self.offer_start) if self.offer_start else ""

    @property
    def has_live_offer(self) -> bool:
        return (
            self.status == EntryStatus.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > clock.now()
        )
