"""The manager's visit reports: visits per doctor and day, no-show rate, average wait
and booking lead time over a date range, optionally for one site or one doctor.

Every figure is an aggregate computed by the database (two grouped queries,
whatever the number of visits), so the reports cost the same for a week or a year.

- A *visit* is an appointment in the range that was not cancelled or entered in error.
- The *no-show rate* is no-shows among the visits whose outcome is known (arrived,
  in consultation, completed or no-show); visits still marked booked do not count.
- The *wait* runs from arrival to the start of the consultation (the visit-state
  timestamps arrived_at → consultation_started_at), for visits that have both.
- The *lead time* runs from the moment of booking (created_at) to the visit's start,
  in the clinic's time zone.

A visit belongs to a site through the doctor's weekly session in which it begins
(as clinic.doctors.selectors.location_of_visit places it).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractIsoWeekDay, TruncDate, TruncTime

from clinic.appointments.models import Appointment, Status
from clinic.core.errors import InvalidInput

# A year and a day: enough for any yearly comparison, small enough to stay quick.
MAX_DAYS = 366

_OUTCOME_KNOWN = (Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED, Status.NO_SHOW)
_NOT_VISITS = (Status.CANCELLED, Status.ENTERED_IN_ERROR)

_WAIT = ExpressionWrapper(
    F("consultation_started_at") - F("arrived_at"), output_field=DurationField()
)
# (visit day − booking day) + (visit time − booking time), both in the clinic's zone:
# date and time arithmetic both databases do, unlike building a timestamp from the two.
_LEAD = ExpressionWrapper(
    (F("date") - TruncDate("created_at")) + (F("start") - TruncTime("created_at")),
    output_field=DurationField(),
)


@dataclass(frozen=True)
class DoctorDay:
    doctor_id: int
    doctor: str
    day: dt.date
    visits: int
    completed: int
    no_shows: int


@dataclass(frozen=True)
class DoctorSummary:
    doctor_id: int
    doctor: str
    visits: int
    completed: int
    no_shows: int
    outcome_known: int
    cancelled: int
    average_wait: dt.timedelta | None
    waits_measured: int
    average_lead: dt.timedelta | None

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the visits whose outcome is known, 0–1; None when none is."""
        return self.no_shows / self.outcome_known if self.outcome_known else None


@dataclass
class VisitReport:
    first: dt.date
    last: dt.date
    days: list[DoctorDay] = field(default_factory=list)
    doctors: list[DoctorSummary] = field(default_factory=list)
    total: DoctorSummary | None = None

    def dates(self) -> list[dt.date]:
        """Every day of the range, for a chart's axis."""
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def report_range_check(*, first: dt.date, last: dt.date) -> None:
    if last < first:
        raise InvalidInput("The last day is before the first.", field="last")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days.", field="last")


def _visits(
    *, first: dt.date, last: dt.date, location_id: int | None, doctor_id: int | None
) -> QuerySet[Appointment]:
    from clinic.doctors.models import WeeklySchedule

    rows = Appointment.objects.filter(date__gte=first, date__lte=last).exclude(
        status=Status.ENTERED_IN_ERROR
    )
    if doctor_id is not None:
        rows = rows.filter(doctor_id=doctor_id)
    if location_id is not None:
        session_at_site = WeeklySchedule.objects.filter(
            doctor_id=OuterRef("doctor_id"),
            location_id=location_id,
            weekday=ExtractIsoWeekDay(OuterRef("date")) - 1,  # Monday 1 → Weekday.MONDAY 0
            start__lte=OuterRef("start"),
            end__gt=OuterRef("start"),
        )
        rows = rows.filter(Exists(session_at_site))
    return rows


def _counts() -> dict:
    return {
        "visits": Count("pk", filter=~Q(status__in=_NOT_VISITS)),
        "completed": Count("pk", filter=Q(status=Status.COMPLETED)),
        "no_shows": Count("pk", filter=Q(status=Status.NO_SHOW)),
    }


def visit_report(
    *,
    first: dt.date,
    last: dt.date,
    location_id: int | None = None,
    doctor_id: int | None = None,
) -> VisitReport:
    """The reports for visits from `first` to `last` (inclusive): two queries."""
    report_range_check(first=first, last=last)
    rows = _visits(first=first, last=last, location_id=location_id, doctor_id=doctor_id)
    report = VisitReport(first=first, last=last)

    per_day = (
        rows.exclude(status__in=_NOT_VISITS)
        .values("doctor_id", "doctor__name", "date")
        .annotate(**_counts())
        .order_by("date", "doctor__name", "doctor_id")
    )
    report.days = [
        DoctorDay(
            doctor_id=r["doctor_id"],
            doctor=r["doctor__name"],
            day=r["date"],
            visits=r["visits"],
            completed=r["completed"],
            no_shows=r["no_shows"],
        )
        for r in per_day
    ]

    per_doctor = (
        rows.values("doctor_id", "doctor__name")
        .annotate(
            **_counts(),
            outcome_known=Count("pk", filter=Q(status__in=_OUTCOME_KNOWN)),
            cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
            average_wait=Avg(_WAIT, filter=Q(arrived_at__isnull=False,
                                             consultation_started_at__isnull=False)),
            waits_measured=Count("pk", filter=Q(arrived_at__isnull=False,
                                                consultation_started_at__isnull=False)),
            average_lead=Avg(_LEAD, filter=~Q(status__in=_NOT_VISITS)),
        )
        .order_by("doctor__name", "doctor_id")
    )
    report.doctors = [
        DoctorSummary(
            doctor_id=r["doctor_id"],
            doctor=r["doctor__name"],
            visits=r["visits"],
            completed=r["completed"],
            no_shows=r["no_shows"],
            outcome_known=r["outcome_known"],
            cancelled=r["cancelled"],
            average_wait=_duration(r["average_wait"]),
            waits_measured=r["waits_measured"],
            average_lead=_duration(r["average_lead"]),
        )
        for r in per_doctor
    ]
    report.total = _total(report.doctors)
    return report


def _duration(value) -> dt.timedelta | None:
    """Avg over a duration: a timedelta on PostgreSQL, microseconds on SQLite."""
    if value is None or isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(microseconds=round(value))


def _weighted(pairs) -> dt.timedelta | None:
    pairs = [(avg, n) for avg, n in pairs if avg is not None and n]
    weight = sum(n for _, n in pairs)
    if not weight:
        return None
    return sum((avg * n for avg, n in pairs), dt.timedelta()) / weight


def _total(doctors: list[DoctorSummary]) -> DoctorSummary:
    """All doctors together: sums, and averages weighted by what each one averaged."""
    return DoctorSummary(
        doctor_id=0,
        doctor="All doctors",
        visits=sum(d.visits for d in doctors),
        completed=sum(d.completed for d in doctors),
        no_shows=sum(d.no_shows for d in doctors),
        outcome_known=sum(d.outcome_known for d in doctors),
        cancelled=sum(d.cancelled for d in doctors),
        average_wait=_weighted((d.average_wait, d.waits_measured) for d in doctors),
        waits_measured=sum(d.waits_measured for d in doctors),
        average_lead=_weighted((d.average_lead, d.visits) for d in doctors),
    )
