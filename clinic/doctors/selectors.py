"""Reads over doctors and their time: the free slots are schedule − time off − bookings − past."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet

from clinic.appointments.models import Appointment
from clinic.core import clock
from clinic.core.errors import NotFound
from clinic.doctors.cache import DIRECTORY_COLUMNS, cached_directory, doctor_week
from clinic.doctors.models import Doctor


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


def doctor_free_slots_between(
    *, doctor: Doctor, first: dt.date, last: dt.date
) -> dict[dt.date, list[dt.time]]:
    """Bookable slots per day: within the booking window, not taken, not past. Three queries."""
    window_first, window_last = booking_window()
    first, last = max(first, window_first), min(last, window_last)
    if first > last or not doctor.is_active:
        return {}
    slots = doctor_schedule_slots(doctor=doctor, first=first, last=last)
    taken = set(
        Appointment.objects.active_slots()
        .filter(doctor=doctor, date__gte=first, date__lte=last)
        .values_list("date", "start")
    )
    now = clock.now()
    free = {}
    for day, times in slots.items():
        times = [t for t in times if (day, t) not in taken and clock.combine(day, t) > now]
        if times:
            free[day] = times
    return free


def doctor_free_slots(*, doctor: Doctor, day: dt.date) -> list[dt.time]:
    return doctor_free_slots_between(doctor=doctor, first=day, last=day).get(day, [])


def slot_number(*, doctor: Doctor, day: dt.date, at: dt.time) -> int | None:
    """The 1-based position of `at` in the doctor's schedule that day (the seed's book_no)."""
    times = doctor_schedule_slots(doctor=doctor, first=day, last=day).get(day, [])
    return times.index(at) + 1 if at in times else None
