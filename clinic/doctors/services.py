import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from clinic.core import clock
from clinic.core.errors import InvalidInput
from clinic.doctors.cache import doctors_changed
from clinic.doctors.models import (
    Doctor,
    Location,
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
