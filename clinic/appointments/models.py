import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from clinic.core import clock
from clinic.core.models import BaseModel


class Status(models.TextChoices):
    """A visit's states; docs/visits.md has the allowed changes and their FHIR names."""

    BOOKED = "booked"
    ARRIVED = "arrived"
    IN_CONSULTATION = "in_consultation", "In consultation"
    COMPLETED = "completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


# The states in which an appointment holds the doctor's time (and the patient's):
# the partial unique constraints and the overlap guard apply to these rows only.
ACTIVE_STATUSES = (Status.BOOKED, Status.ARRIVED, Status.IN_CONSULTATION)

# FHIR R4 Appointment.status for each state.
FHIR_STATUS = {
    Status.BOOKED: "booked",
    Status.ARRIVED: "arrived",
    Status.IN_CONSULTATION: "checked-in",
    Status.COMPLETED: "fulfilled",
    Status.NO_SHOW: "noshow",
    Status.CANCELLED: "cancelled",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}


class CancelledBy(models.TextChoices):
    PATIENT = "patient"
    CLINIC = "clinic"


class VisitType(BaseModel):
    """What a visit is for and how long it takes, as the clinic defines it."""

    name = models.CharField(max_length=80, unique=True)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="How long the doctor's time is held, 5 to 240 minutes.",
    )
    is_default = models.BooleanField(
        default=False,
        help_text="Given to bookings that name no visit type (the API's, the portal's).",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive types take no bookings.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="visit_type_one_default"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=5, minutes__lte=240), name="visit_type_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True),
                name="visit_type_default_is_active",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.minutes} min)"


def default_visit_type_pk() -> int:
    """The default visit type's id (see clinic.appointments.visit_types)."""
    from clinic.appointments.visit_types import visit_type_default

    return visit_type_default().pk


class AppointmentQuerySet(models.QuerySet):
    def active_slots(self):
        """Appointments that hold their time (the constraints' and the overlap guard's rows)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def upcoming(self):
        """Booked and not yet started."""
        now = clock.now()
        return self.filter(status=Status.BOOKED).filter(
            Q(date__gt=now.date()) | Q(date=now.date(), start__gt=now.time())
        )

    def past_or_cancelled(self):
        """Everything that is no longer upcoming: the patient's history."""
        now = clock.now()
        # A visit entered in error never happened: it is not the patient's history.
        return self.exclude(status=Status.ENTERED_IN_ERROR).exclude(
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
    visit_type = models.ForeignKey(
        VisitType, on_delete=models.PROTECT, related_name="+", default=default_visit_type_pk
    )
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField(help_text="start + the visit type's length, on the same day.")
    slot_number = models.PositiveSmallIntegerField(
        help_text="Position of the slot in the doctor's day (the patient's token number)."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    reason = models.CharField("reason for visit", max_length=200, blank=True)
    # When the visit reached each step (who moved it: AppointmentStatusChange).
    arrived_at = models.DateTimeField(null=True, blank=True)
    consultation_started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=7, choices=CancelledBy.choices, blank=True)
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The calendar event's revision (iCalendar SEQUENCE): one more on every move and
    # on the cancellation, so calendar apps replace or remove the event they hold.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = AppointmentQuerySet.as_manager()
    # Saves record themselves; the state service's compare-and-swap update() does not
    # send signals, so it writes its history row itself (services._record_step).
    history = HistoricalRecords(excluded_fields=["reminder_sent_at"])

    class Meta:
        ordering = ["date", "start"]
        # The workspace's roles (clinic/staff/roles.py).
        permissions = [
            ("change_visit_state", "Can mark visits arrived, in consultation, done or no-show"),
            ("view_visit_reports", "Can see the visit reports"),
        ]
        constraints = [
            # The database, not the code, decides who gets a slot: under any
            # concurrency one active appointment per doctor slot ...
            models.UniqueConstraint(
                fields=["doctor", "date", "start"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="appointment_one_active_per_doctor_slot",
            ),
            # ... and a patient is in one place at a time. Overlaps of different
            # starts are refused by the overlap guard (clinic/appointments/overlap.py),
            # which a migration installs per database.
            models.UniqueConstraint(
                fields=["patient", "date", "start"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="appointment_one_active_per_patient_time",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "date", "start"], name="appointment_patient_when"),
            models.Index(fields=["doctor", "date"], name="appointment_doctor_day"),
            models.Index(fields=["status", "date"], name="appointment_status_day"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.date} {clock.slot_label(self.start)} {self.doctor_id}"

    def save(self, *args, **kwargs):
        if self.end is None and self.start is not None:
            # Rows created without an end (older callers) last their visit type's length.
            from clinic.appointments.visit_types import visit_end, visit_type_minutes

            self.end = visit_end(self.start, visit_type_minutes(self.visit_type_id))
        super().save(*args, **kwargs)

    @property
    def starts_at(self) -> dt.datetime:
        return clock.combine(self.date, self.start)

    @property
    def slot_label(self) -> str:
        return clock.slot_label(self.start)

    @property
    def location(self) -> dict | None:
        """The site where the visit takes place (its session's), from the doctors' cache:
        {"name", "address", "phone", "time_zone", "map_url", "id"}, or None."""
        from clinic.doctors.selectors import location_of_visit

        return location_of_visit(doctor_id=self.doctor_id, day=self.date, start=self.start)

    @property
    def is_upcoming(self) -> bool:
        return self.status == Status.BOOKED and self.starts_at > clock.now()


class AppointmentStatusChange(models.Model):
    """One step of a visit: from which state to which, when, and by whom."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["appointment", "changed_at"], name="status_change_when")]

    def __str__(self):
        return f"#{self.appointment_id}: {self.from_status} → {self.to_status}"


class AppointmentMove(BaseModel):
    """One reschedule: where an appointment was and where it went (the "moved" message)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="moves")
    from_doctor = models.ForeignKey("doctors.Doctor", on_delete=models.PROTECT, related_name="+")
    from_date = models.DateField()
    from_start = models.TimeField()
    to_doctor = models.ForeignKey("doctors.Doctor", on_delete=models.PROTECT, related_name="+")
    to_date = models.DateField()
    to_start = models.TimeField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return (
            f"#{self.appointment_id}: {self.from_date} {clock.slot_label(self.from_start)}"
            f" -> {self.to_date} {clock.slot_label(self.to_start)}"
        )

    @property
    def from_starts_at(self) -> dt.datetime:
        return clock.combine(self.from_date, self.from_start)

    @property
    def from_slot_label(self) -> str:
        return clock.slot_label(self.from_start)


class CalendarFeed(BaseModel):
    """A patient's private iCalendar feed: whoever holds the token reads their upcoming visits.

    The token is the only credential (calendar apps send none), so it is long,
    random and renewable: a new one makes the old URL answer 404.
    """

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return f"calendar feed of patient {self.patient_id}"
