"""Slots held for one patient (a waitlist offer): booking and the free-slot reads ask here.

A higher app registers a source in its AppConfig.ready(), so this app never
imports it. A held slot is missing from the free slots and anyone else's
booking of it is refused. Bookings and the makers of holds both take the
doctor's row lock first (`doctor_lock`): a booking and a new hold of one slot
cannot each miss the other, which two tables' constraints alone cannot decide.
"""

import datetime as dt
from collections.abc import Callable

from clinic.doctors.models import Doctor

HoldSource = Callable[..., set[tuple[int, dt.date, dt.time]]]

_sources: list[HoldSource] = []


def register_hold_source(source: HoldSource) -> None:
    """`source(doctor_ids=, first=, last=, except_patient_id=)` -> {(doctor_id, date, start), ...}
    (several doctors at once: the day board asks for all of a day's doctors in one go)."""
    if source not in _sources:
        _sources.append(source)


def held_slots(
    *, doctor_id: int, first: dt.date, last: dt.date, except_patient_id: int | None = None
) -> set[tuple[dt.date, dt.time]]:
    """The doctor's slots in [first, last] held for someone (other than `except_patient_id`)."""
    held = held_slots_of_doctors(
        doctor_ids=[doctor_id], first=first, last=last, except_patient_id=except_patient_id
    )
    return held.get(doctor_id, set())


def held_slots_of_doctors(
    *, doctor_ids, first: dt.date, last: dt.date, except_patient_id: int | None = None
) -> dict[int, set[tuple[dt.date, dt.time]]]:
    """held_slots for each of `doctor_ids` (one query per source, however many doctors)."""
    held: dict[int, set[tuple[dt.date, dt.time]]] = {}
    doctor_ids = list(doctor_ids)
    for source in _sources:
        for doctor_id, day, start in source(
            doctor_ids=doctor_ids, first=first, last=last, except_patient_id=except_patient_id
        ):
            held.setdefault(doctor_id, set()).add((day, start))
    return held


def doctor_lock(doctor_id: int) -> None:
    """Lock the doctor's row until the transaction ends (a no-op on SQLite, whose
    IMMEDIATE transactions already run one writer at a time)."""
    list(Doctor.objects.select_for_update().filter(pk=doctor_id).values_list("pk"))
