"""Reads over doctors and their time: the free slots are schedule − time off − bookings − past."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet

from clinic.appointments.holds import held_slots, held_slots_of_doctors
from clinic.appointments.models import Appointment
from clinic.core import clock
from clinic.core.errors import NotFound
from clinic.doctors.cache import (
    DIRECTORY_COLUMNS,
    LOCATION_COLUMNS,
    Session,
    cached_directory,
    cached_opening_hours,
    doctor_week,
)
from clinic.doctors.models import Doctor, Location, Weekday, WeeklySchedule


def doctor_list(*, specialty: str | None = None, search: str | None = None) -> QuerySet[Doctor]:
    doctors = Doctor.objects.filter(is_active=True)
    if specialty:
        doctors = doctors.filter(specialty__iexact=specialty)
    if search:
        doctors = doctors.filter(Q(name__icontains=search) | Q(specialty__icontains=search))
    return doctors.order_by("name", "pk")


def doctor_directory() -> list[dict]:
    """doctor_list() unfiltered, as `.values(*DIRECTORY_COLUMNS)` rows, from the cache."""
    return cached_directory(lambda: list(doctor_list().values(*DIRECTORY_COLUMNS)))


def doctor_get(*, doctor_id: int) -> Doctor:
    doctor = Doctor.objects.filter(pk=doctor_id, is_active=True).first()
    if doctor is None:
        raise NotFound(f"No doctor with id {doctor_id}.", field="doctor_id")
    return doctor


def doctor_get_listed(*, doctor_id: int) -> Doctor:
    """doctor_get for reads, from the cached directory (no query once warm): an active
    doctor with DIRECTORY_COLUMNS loaded; other fields load when first read."""
    row = next((row for row in doctor_directory() if row["id"] == doctor_id), None)
    if row is None:
        raise NotFound(f"No doctor with id {doctor_id}.", field="doctor_id")
    values = (*(row[column] for column in DIRECTORY_COLUMNS), True)
    return Doctor.from_db("default", (*DIRECTORY_COLUMNS, "is_active"), values)


def doctor_specialties() -> list[str]:
    return list(
        Doctor.objects.filter(is_active=True)
        .order_by("specialty")
        .values_list("specialty", flat=True)
        .distinct()
    )


def booking_window() -> tuple[dt.date, dt.date]:
    """The first and last day a patient may book."""
    first = clock.today()
    return first, first + dt.timedelta(days=settings.BOOKING_HORIZON_DAYS)


def doctor_schedule_slots(
    *, doctor: Doctor, first: dt.date, last: dt.date
) -> dict[dt.date, list[dt.time]]:
    """Every slot the schedule offers per day in [first, last], time off removed."""
    week = doctor_week(doctor_id=doctor.pk)
    slots = {}
    day = first
    while day <= last:
        times = week.slots.get(day.weekday())
        if times and not week.is_off(day):
            slots[day] = list(times)
        day += dt.timedelta(days=1)
    return slots


def doctor_day_sessions(
    *, doctor: Doctor, day: dt.date, memo: dict | None = None
) -> tuple[Session, ...]:
    """The doctor's sessions on `day` (none on time off), earliest first. `memo`: as
    for doctor_week."""
    week = doctor_week(doctor_id=doctor.pk, memo=memo)
    if week.is_off(day):
        return ()
    return week.sessions.get(day.weekday(), ())


def _add_minutes(at: dt.time, minutes: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(2000, 1, 1), at) + dt.timedelta(minutes=minutes)


def doctor_free_slots_between(
    *, doctor: Doctor, first: dt.date, last: dt.date, minutes: int | None = None
) -> dict[dt.date, list[dt.time]]:
    """Starts where a visit of `minutes` (the default visit type's when None) can be
    booked, per day: on a slot of a session, ending within it, overlapping no active
    appointment, not past, within the booking window (docs/visits.md). Four queries
    at most (doctor's week and visit types come from the cache); slots held for a
    waitlist offer are not free."""
    window_first, window_last = booking_window()
    first, last = max(first, window_first), min(last, window_last)
    if first > last or not doctor.is_active:
        return {}
    minutes = _visit_minutes(minutes)
    busy = _busy_times(doctor_ids=[doctor.pk], first=first, last=last).get(doctor.pk, {})
    # A slot held for a patient on the waiting list is not free for anyone else.
    held = held_slots(doctor_id=doctor.pk, first=first, last=last)
    now = clock.now()
    free = {}
    day = first
    while day <= last:
        times = _free_on(
            doctor=doctor, day=day, minutes=minutes, busy=busy.get(day, ()), held=held, now=now
        )
        if times:
            free[day] = times
        day += dt.timedelta(days=1)
    return free


def doctors_free_slots_on(
    *, doctors, day: dt.date, minutes: int | None = None
) -> dict[int, list[dt.time]]:
    """doctor_free_slots for several doctors on one day, by doctor id: the same rules,
    in a constant number of queries however many doctors (the day board's)."""
    window_first, window_last = booking_window()
    doctors = [d for d in doctors if d.is_active]
    if not (window_first <= day <= window_last) or not doctors:
        return {}
    minutes = _visit_minutes(minutes)
    ids = [d.pk for d in doctors]
    busy = _busy_times(doctor_ids=ids, first=day, last=day)
    held = held_slots_of_doctors(doctor_ids=ids, first=day, last=day)
    now = clock.now()
    return {
        d.pk: _free_on(
            doctor=d,
            day=day,
            minutes=minutes,
            busy=busy.get(d.pk, {}).get(day, ()),
            held=held.get(d.pk, set()),
            now=now,
        )
        for d in doctors
    }


def _visit_minutes(minutes: int | None) -> int:
    if minutes is not None:
        return minutes
    from clinic.appointments.visit_types import visit_type_default

    return visit_type_default().minutes


def _busy_times(
    *, doctor_ids, first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, list[tuple[dt.time, dt.time]]]]:
    """The (start, end) of the doctors' active appointments, by doctor and day: one query."""
    busy: dict[int, dict[dt.date, list]] = {}
    for doctor_id, day, start, end in (
        Appointment.objects.active_slots()
        .filter(doctor_id__in=doctor_ids, date__gte=first, date__lte=last)
        .values_list("doctor_id", "date", "start", "end")
    ):
        busy.setdefault(doctor_id, {}).setdefault(day, []).append((start, end))
    return busy


def _free_on(*, doctor, day, minutes, busy, held, now) -> list[dt.time]:
    """The free starts of one doctor's day, given that day's busy times and held slots."""
    times = []
    for session in doctor_day_sessions(doctor=doctor, day=day):
        session_end = _add_minutes(session.end, 0)
        for at in session.slots:
            ends = _add_minutes(at, minutes)
            if ends > session_end or clock.combine(day, at) <= now or (day, at) in held:
                continue
            if any(b_start < ends.time() and at < b_end for b_start, b_end in busy):
                continue
            times.append(at)
    return sorted(times)


def doctor_free_slots(*, doctor: Doctor, day: dt.date, minutes: int | None = None) -> list[dt.time]:
    return doctor_free_slots_between(doctor=doctor, first=day, last=day, minutes=minutes).get(
        day, []
    )


def slot_number(*, doctor: Doctor, day: dt.date, at: dt.time) -> int | None:
    """The 1-based position of `at` in the doctor's schedule that day (the seed's book_no)."""
    times = doctor_schedule_slots(doctor=doctor, first=day, last=day).get(day, [])
    return times.index(at) + 1 if at in times else None


def location_of_visit(
    *, doctor_id: int, day: dt.date, start: dt.time, memo: dict | None = None
) -> dict | None:
    """The site (its LOCATION_COLUMNS) of the doctor's session in which a visit on
    `day` at `start` begins, or None. From the doctor's cached week: no query once warm.
    `memo`: as for doctor_week, for a list of visits."""
    week = doctor_week(doctor_id=doctor_id, memo=memo)
    session = next(
        (s for s in week.sessions.get(day.weekday(), ()) if s.start <= start < s.end), None
    )
    return session.location if session is not None else None


def location_opening_hours() -> list[dict]:
    """Every site with the hours its active doctors' sessions make:
    [{"location": {...}, "days": [("Monday–Saturday", [(open, close), ...]), ...]}].
    Overlapping and touching sessions merge, and so do neighbouring days with the
    same hours; a site without sessions has no days. Cached with the doctors (two
    queries when not)."""
    return cached_opening_hours(_opening_hours)


def _opening_hours() -> list[dict]:
    sessions = WeeklySchedule.objects.filter(doctor__is_active=True).values_list(
        "location_id", "weekday", "start", "end"
    )
    spans: dict[int, dict[int, list]] = {}
    for location_id, weekday, start, end in sessions.order_by("location_id", "weekday", "start"):
        day = spans.setdefault(location_id, {}).setdefault(weekday, [])
        if day and start <= day[-1][1]:
            day[-1] = (day[-1][0], max(day[-1][1], end))
        else:
            day.append((start, end))
    return [
        {"location": location, "days": _runs_of_days(spans.get(location["id"], {}))}
        for location in Location.objects.values(*LOCATION_COLUMNS).order_by("name")
    ]


def _runs_of_days(week: dict[int, list]) -> list[tuple[str, list]]:
    """Neighbouring weekdays with the same hours as one row: ("Monday–Saturday", hours)."""
    runs: list[list] = []  # [first day, last day, hours]
    for weekday in sorted(week):
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == week[weekday]:
            runs[-1][1] = weekday
        else:
            runs.append([weekday, weekday, week[weekday]])
    label = dict(Weekday.choices)
    return [
        (label[first] if first == last else f"{label[first]}–{label[last]}", hours)
        for first, last, hours in runs
    ]
