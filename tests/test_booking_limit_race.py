"""MAX_ACTIVE_BOOKINGS holds under concurrency: one patient's simultaneous bookings queue.

Every thread is held after its own checks (the slot rules) until all have passed
them, then all count and insert at once. Only the lock on the patient's row keeps
the count honest; the control test swaps the lock for nothing and shows the
patient ending up over the limit.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connections
from django.test import override_settings

from clinic.appointments import services
from clinic.appointments.models import Appointment, Status
from clinic.testing import FIXED_NOW, api_client, make_doctor, make_patient

THREADS = 4
TUESDAY = dt.date(2030, 1, 8)
SLOTS = ["09:00 AM", "09:30 AM", "10:00 AM", "10:30 AM"]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def everyone_past_the_check(monkeypatch):
    barrier = threading.Barrier(THREADS, timeout=20)
    real = services.doctor_day_sessions

    def checked_then_wait(**kwargs):
        slots = real(**kwargs)
        barrier.wait()
        return slots

    monkeypatch.setattr(services, "doctor_day_sessions", checked_then_wait)


def race(patient, doctors) -> list[int]:
    client_start = threading.Barrier(THREADS, timeout=20)
    statuses = [None] * THREADS

    def book(i):
        try:
            client = api_client(patient.user)
            client_start.wait()
            response = client.post(
                "/cms-api/booking/",
                {"date": TUESDAY.isoformat(), "slot": SLOTS[i], "doc_id": doctors[i].pk},
                format="json",
            )
            statuses[i] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


@override_settings(MAX_ACTIVE_BOOKINGS=2)
def test_concurrent_bookings_stop_at_the_limit(frozen, everyone_past_the_check):
    """Four bookings at once by a patient allowed two: two 201, two 409."""
    patient = make_patient(first_name="Eager")
    doctors = [make_doctor(name=f"Dr. L{i}") for i in range(THREADS)]
    statuses = race(patient, doctors)
    assert sorted(statuses) == [201, 201, 409, 409], statuses
    assert Appointment.objects.filter(patient=patient, status=Status.BOOKED).count() == 2


@override_settings(MAX_ACTIVE_BOOKINGS=2)
def test_without_the_lock_the_patient_goes_over_the_limit(
    frozen, everyone_past_the_check, monkeypatch
):
    """Control: counting without the row lock lets all four through."""
    patient = make_patient(first_name="Control")
    doctors = [make_doctor(name=f"Dr. N{i}") for i in range(THREADS)]
    count_barrier = threading.Barrier(THREADS, timeout=20)
    real_upcoming = Appointment.objects.upcoming

    def no_lock_then_count(patient):
        # The service's check with the lock left out; everyone counts before anyone inserts.
        count = real_upcoming().filter(patient=patient).count()
        count_barrier.wait()
        if count >= 2:
            raise services.Conflict("over the limit")

    monkeypatch.setattr(services, "_check_booking_limit", no_lock_then_count)
    statuses = race(patient, doctors)
    assert statuses.count(201) > 2, statuses
    assert Appointment.objects.filter(patient=patient, status=Status.BOOKED).count() > 2
