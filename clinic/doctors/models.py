import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from clinic.core import clock
from clinic.core.files import doctor_picture_key
from clinic.core.models import BaseModel
from clinic.core.uploads import PictureField
from clinic.patients.models import Gender, age_on


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as 'Asia/Kolkata'.")


def _clinic_time_zone() -> str:
    return settings.TIME_ZONE


class Location(BaseModel):
    """A site where doctors hold their sessions: an address, a phone, a map link."""

    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=300)
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=_clinic_time_zone,
        validators=[validate_time_zone],
        help_text="The IANA name, e.g. Asia/Kolkata, shown with the site's hours.",
    )
    map_url = models.URLField("map link", blank=True, max_length=500)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def default_location_pk() -> int:
    """The site sessions land at when none is given: the first one, created from the
    clinic's settings if the clinic has none yet (a fresh install)."""
    first = Location.objects.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        return first
    clinic = settings.CLINIC
    return Location.objects.create(
        name=clinic["NAME"], address=clinic["ADDRESS"], phone=clinic["PHONE"]
    ).pk


class Doctor(BaseModel):
    name = models.CharField(max_length=120, help_text="As patients see it, e.g. 'Dr. Asha Rao'.")
    gender = models.CharField(max_length=6, choices=Gender.choices)
    birth_date = models.DateField(null=True, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        "years of experience", default=0, validators=[MaxValueValidator(80)]
    )
    specialty = models.CharField(max_length=80, db_index=True)
    office_number = models.CharField(max_length=20, blank=True)
    profile_pic = PictureField(upload_to=doctor_picture_key, blank=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="doctor",
        help_text="The staff account of this doctor, if any.",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive doctors take no bookings.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.specialty})"

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, clock.today()) if self.birth_date else None


class Weekday(models.IntegerChoices):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class WeeklySchedule(models.Model):
    """One consulting session of a doctor on a weekday, cut into equal slots."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="schedules")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="sessions", default=default_location_pk
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="schedule_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["doctor", "weekday", "start"], name="schedule_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def slot_times(self) -> list[dt.time]:
        return session_slot_times(self.start, self.end, self.slot_minutes)


def session_slot_times(start: dt.time, end: dt.time, slot_minutes: int) -> list[dt.time]:
    """The starts of a session's slots: every `slot_minutes` from `start` while a whole
    slot fits before `end`."""
    step = dt.timedelta(minutes=slot_minutes)
    day = dt.date(2000, 1, 1)
    at, stop = dt.datetime.combine(day, start), dt.datetime.combine(day, end)
    times = []
    while at + step <= stop:
        times.append(at.time())
        at += step
    return times


class TimeOff(models.Model):
    """Days a doctor sees no patients: leave, holidays, conferences."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="time_off")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start_date"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="timeoff_end_not_before_start"
            ),
        ]

    def __str__(self):
        return f"{self.start_date} – {self.end_date}"
