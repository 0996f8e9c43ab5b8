"""Concurrency is proven by a race: many clients book one slot at the same moment.

A hook after the slot check holds every thread until all have passed it
(pretix's "sleep after quota check"), so the check cannot decide; only the
database can. Two races: the same slot (the partial unique constraints decide),
and overlapping times with different starts (the overlap guard of
clinic/appointments/overlap.py decides). Each has a control test that drops
what decides and shows the double booking it prevents.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from clinic.appointments import overlap, services
from clinic.appointments.models import Appointment, Status
from clinic.doctors.models import WeeklySchedule
from clinic.testing import FIXED_NOW, api_client, make_doctor, make_patient

THREADS = 8
TUESDAY = "2030-01-08"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def everyone_past_the_check(monkeypatch):
    """Make every thread pass the slot checks before any of them inserts."""
    barrier = threading.Barrier(THREADS, timeout=20)
    real = services.doctor_day_sessions

    def checked_then_wait(**kwargs):
        sessions = real(**kwargs)
        barrier.wait()
        return sessions

    monkeypatch.setattr(services, "doctor_day_sessions", checked_then_wait)


def race(doctor, patients, slots=("09:30 AM",)) -> list[int]:
    """All patients POST at once, patient i the slot slots[i % len(slots)]; the
    statuses, in thread order."""
    clients = [api_client(p.user) for p in patients]
    start = threading.Barrier(len(patients), timeout=20)
    statuses = [None] * len(patients)

    def book(i):
        try:
            start.wait()
            response = clients[i].post(
                "/cms-api/booking/",
                {"date": TUESDAY, "slot": slots[i % len(slots)], "doc_id": doctor.pk},
                format="json",
            )
            statuses[i] = response.status_code
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(patients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_exactly_one_concurrent_booking_wins(frozen, everyone_past_the_check):
    """Eight patients book one slot at once: one 201, seven 409, one row."""
    doctor = make_doctor(name="Dr. Race")
    patients = [make_patient(first_name=f"P{i}") for i in range(THREADS)]
    statuses = race(doctor, patients)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1), statuses
    booked = Appointment.objects.filter(doctor=doctor, status=Status.BOOKED)
    assert booked.count() == 1
    assert booked.get().start == dt.time(9, 30)


def test_without_the_constraints_the_race_double_books(frozen, everyone_past_the_check):
    """Control: with the partial unique constraints dropped, the same race books twice or more."""
    doctor = make_doctor(name="Dr. Control")
    patients = [make_patient(first_name=f"C{i}") for i in range(THREADS)]
    constraints = [c for c in Appointment._meta.constraints if "one_active" in c.name]
    with connection.schema_editor() as editor:
        overlap.uninstall(editor, Appointment)
        for constraint in constraints:
            editor.remove_constraint(Appointment, constraint)
    try:
        statuses = race(doctor, patients)
        landed = Appointment.objects.filter(doctor=doctor, status=Status.BOOKED).count()
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            for constraint in constraints:
                editor.add_constraint(Appointment, constraint)
            overlap.install(editor, Appointment)
    assert statuses.count(201) > 1, statuses
    assert landed == statuses.count(201)


def doctor_with_quarter_hour_slots(name):
    """Tuesday 09:00-12:00 in 15-minute slots: a default 30-minute visit at 09:00 and
    one at 09:15 overlap, though their starts differ."""
    doctor = make_doctor(name=name, schedule=False)
    WeeklySchedule.objects.create(
        doctor=doctor, weekday=1, start=dt.time(9), end=dt.time(12), slot_minutes=15
    )
    return doctor


OVERLAPPING = ("09:00 AM", "09:15 AM")


def test_exactly_one_of_concurrent_overlapping_bookings_wins(frozen, everyone_past_the_check):
    """Eight patients book 09:00 or 09:15 (30 minutes each) at once: one 201, seven 409."""
    doctor = doctor_with_quarter_hour_slots("Dr. Overlap")
    patients = [make_patient(first_name=f"O{i}") for i in range(THREADS)]
    statuses = race(doctor, patients, slots=OVERLAPPING)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1), statuses
    booked = Appointment.objects.filter(doctor=doctor, status=Status.BOOKED)
    assert booked.count() == 1
    winner = booked.get()
    assert (winner.start, winner.end) in [
        (dt.time(9), dt.time(9, 30)),
        (dt.time(9, 15), dt.time(9, 45)),
    ]


def test_without_the_overlap_guard_the_race_books_overlapping_visits(
    frozen, everyone_past_the_check
):
    """Control: with only the overlap guard dropped (the unique constraints stay), the
    same race books overlapping visits: one at 09:00 and one at 09:15."""
    doctor = doctor_with_quarter_hour_slots("Dr. Overlap Control")
    patients = [make_patient(first_name=f"OC{i}") for i in range(THREADS)]
    with connection.schema_editor() as editor:
        overlap.uninstall(editor, Appointment)
    try:
        statuses = race(doctor, patients, slots=OVERLAPPING)
        starts = sorted(
            Appointment.objects.filter(doctor=doctor, status=Status.BOOKED).values_list(
                "start", flat=True
            )
        )
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            overlap.install(editor, Appointment)
    # The unique constraints still allow one per start: exactly 09:00 and 09:15.
    assert statuses.count(201) == 2, statuses
    assert starts == [dt.time(9), dt.time(9, 15)]
