"""Concurrent retries with one Idempotency-Key: the unique constraint decides, one booking."""

import threading

import pytest
import time_machine
from django.db import connections

from clinic.api.models import IdempotencyRecord
from clinic.appointments.models import Appointment
from clinic.testing import FIXED_NOW, api_client, make_doctor, make_patient

THREADS = 6

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_duplicates_book_once_and_answer_alike():
    """Six copies of one request at once: every answer is the same 201, one appointment."""
    with time_machine.travel(FIXED_NOW, tick=False):
        doctor = make_doctor(name="Dr. Retry")
        patient = make_patient(first_name="Rita")
        clients = [api_client(patient.user) for _ in range(THREADS)]
        start = threading.Barrier(THREADS, timeout=20)
        answers = [None] * THREADS

        def book(i):
            try:
                start.wait()
                response = clients[i].post(
                    "/cms-api/booking/",
                    {"date": "2030-01-08", "slot": "09:30 AM", "doc_id": doctor.pk},
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="one-booking",
                )
                answers[i] = (response.status_code, response.json())
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 201
    assert Appointment.objects.filter(doctor=doctor).count() == 1
    assert IdempotencyRecord.objects.count() == 1
