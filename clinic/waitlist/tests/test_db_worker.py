"""A real `db_worker` process makes the waitlist's offers and releases its lapsed holds."""

import datetime as dt
import email
import email.policy
import os
from unittest import mock

import pytest

from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core import clock
from clinic.doctors.services import DEFAULT_WEEKDAYS
from clinic.notifications.tests import test_db_worker
from clinic.notifications.tests.base import make_verified_patient
from clinic.testing import make_doctor, make_patient
from clinic.waitlist.models import EntryStatus, WaitlistEntry
from clinic.waitlist.services import waitlist_join


def next_clinic_day() -> dt.date:
    day = clock.today() + dt.timedelta(days=1)
    while day.weekday() not in DEFAULT_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


@pytest.mark.postgres
class WaitlistWorkerTests(test_db_worker.DatabaseWorkerTests):
    # The inherited test of the messages' delivery runs in its own module.
    test_a_worker_process_delivers_queued_messages = None

    def status(self, entry) -> str:
        return WaitlistEntry.objects.get(pk=entry.pk).status

    def test_the_worker_offers_freed_slots_and_passes_lapsed_holds_on(self):
        """Cancel -> offer to the first in line (email with a claim link); the hold lapses with
        no request and passes to the next; then the slot is free for everyone."""
        day = next_clinic_day()
        doctor = make_doctor(name="Dr. Worker")
        carol = make_patient(first_name="Carol")
        carols = appointment_book(patient=carol, doctor=doctor, day=day, start=dt.time(9, 30))
        first = waitlist_join(
            patient=make_verified_patient(first_name="Ann", phone="9876500001"),
            doctor=doctor,
            first_day=day,
        )
        second = waitlist_join(
            patient=make_verified_patient(first_name="Ben", phone="9876500002"),
            doctor=doctor,
            first_day=day,
        )
        # A 3-second hold in the worker, which makes (and so times) the offers.
        with mock.patch.dict(
            os.environ,
            {"WAITLIST_HOLD_MINUTES": "0.05", "PORTAL_BASE_URL": "https://portal.example"},
        ):
            worker = self.start_worker()
        appointment_cancel(patient=carol, ids=[carols.pk])  # autocommit: the offer task is queued

        self.wait_for(lambda: self.status(first) == EntryStatus.OFFERED, worker)
        self.assertEqual(self.status(second), EntryStatus.WAITING)
        self.wait_for(
            lambda: any(
                first.patient.user.email in envelope.rcpt_tos for envelope in self.inbox.envelopes
            ),
            worker,
        )
        offer = next(e for e in self.inbox.envelopes if first.patient.user.email in e.rcpt_tos)
        body = email.message_from_bytes(offer.content, policy=email.policy.default)
        self.assertIn("A slot is free for you", body["Subject"])
        text = body.get_body(("plain",)).get_content()
        self.assertIn("https://portal.example/", text)

        # No request comes: the worker's deferred release passes the slot on.
        self.wait_for(lambda: self.status(first) == EntryStatus.EXPIRED, worker, timeout=45)
        self.wait_for(lambda: self.status(second) == EntryStatus.OFFERED, worker, timeout=30)
        self.wait_for(lambda: self.status(second) == EntryStatus.EXPIRED, worker, timeout=45)
        self.assertFalse(WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).exists())
        self.assertFalse(Appointment.objects.filter(status="booked").exists())
        self.stop_worker(worker)
        self.assertEqual(worker.returncode, 0)
