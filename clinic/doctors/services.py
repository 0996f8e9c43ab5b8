import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput
from clinic.doctors.cache import doctors_changed
from clinic.doctors.models import (
    Doctor,
    Location,
    TimeOff,
    Weekday,
    WeeklySchedule,
    default_location_pk,
    session_slot_times,
)

# The original clinic's day: Monday to Saturday, six 30-minute slots from 09:00.
DEFAULT_SESSION = (dt.time(9, 0), dt.time(12, 0), 30)
DEFAULT_WEEKDAYS = range(0, 6)


def doctor_schedule_default(*, doctor: Doctor, location: Location | None = None) -> None:
    """Give a doctor without any schedule the clinic's default week (at `location`,
    else the first site)."""
    if doctor.schedules.exists():
        return
    start, end, minutes = DEFAULT_SESSION
    location_id = location.pk if location is not None else default_location_pk()
    WeeklySchedule.objects.bulk_create(
        WeeklySchedule(
            doctor=doctor,
            location_id=location_id,
            weekday=day,
            start=start,
            end=end,
            slot_minutes=minutes,
        )
        for day in DEFAULT_WEEKDAYS
    )
    doctors_changed(doctor_id=doctor.pk)  # bulk_create sends no post_save


@dataclass(frozen=True)
class SessionSpec:
    """A weekly session as an edit would leave it."""

    weekday: int
    start: dt.time
    end: dt.time
    slot_minutes: int

    def label(self) -> str:
        return f"{Weekday(self.weekday).label} {self.start:%H:%M}–{self.end:%H:%M}"


def doctor_schedule_check(*, doctor: Doctor, sessions: list[SessionSpec]) -> None:
    """Refuse a doctor's new week if two sessions overlap, or if an upcoming active
    appointment would no longer sit on a slot of a session and end within it
    (a changed slot length, a moved or shortened or deleted session).

    `sessions` is the whole week after the edit. Raises InvalidInput naming the
    sessions or the appointments at fault; the caller saves only if this passes.
    """
    from clinic.appointments.models import Appointment

    by_day: dict[int, list[SessionSpec]] = {}
    for session in sorted(sessions, key=lambda s: (s.weekday, s.start)):
        day = by_day.setdefault(session.weekday, [])
        if day and session.start < day[-1].end:
            raise InvalidInput(
                f"Sessions overlap: {day[-1].label()} and {session.label()}. "
                "A doctor holds one session at a time.",
                field="start",
            )
        day.append(session)

    if doctor.pk is None:
        return  # a doctor being added has no bookings yet
    now = clock.now()
    upcoming = (
        Appointment.objects.active_slots()
        .filter(doctor=doctor)
        .filter(Q(date__gt=now.date()) | Q(date=now.date(), start__gte=now.time()))
        .values_list("pk", "date", "start", "end")
        .order_by("date", "start")
    )
    stranded = [
        (pk, day, start)
        for pk, day, start, end in upcoming
        if not any(
            start in session_slot_times(s.start, s.end, s.slot_minutes) and end <= s.end
            for s in by_day.get(day.weekday(), ())
        )
    ]
    if stranded:
        listed = ", ".join(f"#{pk} on {day} at {start:%H:%M}" for pk, day, start in stranded[:5])
        more = f" and {len(stranded) - 5} more" if len(stranded) > 5 else ""
        raise InvalidInput(
            f"This change would leave booked appointments outside the doctor's slots: "
            f"{listed}{more}. Move or cancel them first, or keep the session as it is.",
            field="slot_minutes",
        )


def _full_clean(obj, *, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from None


@transaction.atomic
def weekly_session_save(
    *,
    actor,
    doctor: Doctor,
    location: Location,
    weekday: int,
    start: dt.time,
    end: dt.time,
    slot_minutes: int,
    session: WeeklySchedule | None = None,
) -> WeeklySchedule:
    """Add a weekly session to a doctor, or change `session` (its doctor stays).

    Refused, with nothing saved, when it would overlap another of the doctor's
    sessions or leave an upcoming booking off the slots (doctor_schedule_check).
    The doctor's row is locked meanwhile, so two edits of one week take turns.
    """
    if session is not None:
        doctor = session.doctor
    if end <= start:
        raise InvalidInput("A session ends after it starts.", field="end")
    if not 5 <= slot_minutes <= 240:
        raise InvalidInput("Slots last 5 to 240 minutes.", field="slot_minutes")
    Doctor.objects.select_for_update().filter(pk=doctor.pk).first()
    others = doctor.schedules.exclude(pk=getattr(session, "pk", None)).values_list(
        "weekday", "start", "end", "slot_minutes"
    )
    spec = SessionSpec(weekday=weekday, start=start, end=end, slot_minutes=slot_minutes)
    doctor_schedule_check(doctor=doctor, sessions=[*(SessionSpec(*row) for row in others), spec])
    session = session or WeeklySchedule(doctor=doctor)
    session.location, session.weekday, session.start = location, weekday, start
    session.end, session.slot_minutes = end, slot_minutes
    _full_clean(session, exclude=["doctor"])
    session.save()
    audit_log(actor=actor, action="doctor.session_saved", obj=session, doctor=doctor.pk,
              session=spec.label(), slot_minutes=slot_minutes, location=location.pk)
    return session


@transaction.atomic
def time_off_save(
    *,
    actor,
    doctor: Doctor,
    start_date: dt.date,
    end_date: dt.date,
    reason: str = "",
    time_off: TimeOff | None = None,
) -> tuple[TimeOff, int]:
    """Add days off to a doctor, or change `time_off`. No new bookings land on them
    (doctor_free_slots); visits already booked then are counted and returned, for
    the front desk to move or cancel with the patients."""
    from clinic.appointments.models import Appointment

    if time_off is not None:
        doctor = time_off.doctor
    if end_date < start_date:
        raise InvalidInput("The last day off is before the first.", field="end_date")
    time_off = time_off or TimeOff(doctor=doctor)
    time_off.start_date, time_off.end_date = start_date, end_date
    time_off.reason = reason.strip()
    _full_clean(time_off, exclude=["doctor"])
    time_off.save()
    booked = (
        Appointment.objects.active_slots()
        .filter(doctor=doctor, date__gte=start_date, date__lte=end_date)
        .count()
    )
    audit_log(actor=actor, action="doctor.time_off_saved", obj=time_off, doctor=doctor.pk,
              start_date=start_date.isoformat(), end_date=end_date.isoformat())
    return time_off, booked


@transaction.atomic
def location_save(
    *,
    actor,
    name: str,
    address: str,
    phone: str = "",
    time_zone: str,
    map_url: str = "",
    location: Location | None = None,
) -> Location:
    """Add a site, or change `location`: a unique name, a real time zone, a web map link."""
    name = name.strip()
    clash = Location.objects.filter(name__iexact=name).exclude(pk=getattr(location, "pk", None))
    if clash.exists():
        raise InvalidInput("Another site has that name.", field="name")
    location = location or Location()
    location.name, location.address, location.phone = name, address.strip(), phone.strip()
    location.time_zone, location.map_url = time_zone.strip(), map_url.strip()
    _full_clean(location)
    location.save()
    audit_log(actor=actor, action="location.saved", obj=location, name=location.name)
    return location
