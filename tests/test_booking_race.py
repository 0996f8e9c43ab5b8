"""Concurrency is proven by a race: many clients book one slot at the same moment.

A hook after the free-slot check holds every thread until all have passed it
(pretix's "sleep after quota check"), so the check cannot decide; only the
partial unique constraints can. The control test drops them and shows the
double booking the constraints prevent.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from clinic.appointments import services
from clinic.appointments.models import Appointment, Status
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
    real = services.doctor_schedule_slots

    def checked_then_wait(**kwargs):
        free = real(**kwargs)
        barrier.wait()
        return free

    monkeypatch.setattr(services, "doctor_schedule_slots", checked_then_wait)


def race(doctor, patients) -> list[int]:
    """All patients POST the same slot at once; the statuses, in thread order."""
    clients = [api_client(p.user) for p in patients]
    start = threading.Barrier(len(patients), timeout=20)
    statuses = [None] * len(patients)

    def book(i):
        try:
            start.wait()
            response = clients[i].post(
                "/cms-api/booking/",
                {"date": TUESDAY, "slot": "09:30 AM", "doc_id": doctor.pk},
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
    constraints = Appointment._meta.constraints
    with connection.schema_editor() as editor:
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
    assert statuses.count(201) > 1, statuses
    assert landed == statuses.count(201)
