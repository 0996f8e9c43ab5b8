"""kill -9 of a real `db_worker` in the middle of a send: after a restart every message
arrives exactly once (at least once from the outbox, deduplicated by its delivery key)."""

import asyncio
import datetime as dt
import email
import email.policy
import io
import os
import signal
import threading
from collections import Counter
from http.server import ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings

from clinic.appointments.services import appointment_book
from clinic.core import clock
from clinic.doctors.selectors import doctor_schedule_slots
from clinic.notifications.models import EventStatus, MessageStatus, OutboxEvent, OutgoingMessage
from clinic.notifications.services import delivery_key
from clinic.notifications.tests.test_db_worker import DATABASE_QUEUE, WorkerProcessMixin
from clinic.notifications.tests.test_loopback_transports import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    TwilioStandIn,
    free_port,
)
from clinic.patients.models import Patient
from clinic.testing import make_doctor, make_patient

PATIENTS = 3


class StallingMailStore:
    """An SMTP server's mail store that keeps each message by Message-ID.

    Every DATA it receives is recorded as delivered, as a relay that accepted the
    message would; the first one is then held before the server answers 250, so
    the test can kill the worker while it waits for that answer: the worst case,
    where the message arrived but the sender never learnt it.
    """

    def __init__(self):
        self.receipts: list[str] = []
        self.first_data = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        received = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.receipts.append(received["Message-ID"])
        if len(self.receipts) == 1:
            self.first_data.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def delivered(self) -> Counter:
        return Counter(self.receipts)


def next_slots(doctor, count: int) -> list[tuple[dt.date, dt.time]]:
    """The doctor's first `count` bookable slots from tomorrow on (real time: the worker's)."""
    first = clock.today() + dt.timedelta(days=1)
    by_day = doctor_schedule_slots(doctor=doctor, first=first, last=first + dt.timedelta(days=8))
    return [(day, at) for day, slots in sorted(by_day.items()) for at in slots][:count]


@pytest.mark.postgres
@override_settings(TASKS=DATABASE_QUEUE)
class WorkerKilledMidSendTests(WorkerProcessMixin, TransactionTestCase):
    def setUp(self):
        self.store = StallingMailStore()
        self.smtp = Controller(self.store, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        self.addCleanup(self.store.release.set)  # never leave the server's loop stalled
        handler = type("Handler", (TwilioStandIn,), {"requests": [], "script": []})
        self.sms = handler
        self.twilio = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.twilio.serve_forever, daemon=True).start()
        self.addCleanup(self.twilio.server_close)
        self.addCleanup(self.twilio.shutdown)

    def worker_env(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            "DEFAULT_FROM_EMAIL": "CMS Clinic <clinic@cms.test>",
            "SMS_BACKEND": "clinic.notifications.backends.sms_twilio.TwilioSmsBackend",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_BASE_URL": f"http://127.0.0.1:{self.twilio.server_port}",
        }

    def sweep(self) -> None:
        call_command("retry_messages", stdout=io.StringIO())

    def test_every_message_arrives_exactly_once_after_a_kill_mid_send(self):
        """Three bookings (three emails, three SMS). The worker is killed with SIGKILL while
        the SMTP server holds the first email's DATA; a new worker and the sweep send it
        again with the same Message-ID. The mail store holds each email once (one copy
        recognised by its key), Twilio got each SMS once: none missing, none doubled."""
        doctor = make_doctor(name="Dr. Asha Rao")
        for n, (day, at) in enumerate(next_slots(doctor, PATIENTS)):
            patient = make_patient(first_name=f"Patient{n}", phone=f"98765432{n:02d}")
            Patient.objects.filter(pk=patient.pk).update(email_verified=True, phone_verified=True)
            appointment_book(patient=patient, doctor=doctor, day=day, start=at)
        self.assertEqual(OutboxEvent.objects.count(), PATIENTS)  # committed with the bookings

        first = self.start_worker(self.worker_env())
        if not self.store.first_data.wait(timeout=60):
            self.stop_worker(first)
            self.fail(f"no email reached the server; worker output:\n{first.stdout.read()}")
        os.kill(first.pid, signal.SIGKILL)  # mid-send: the server has the email, no 250 yet
        first.wait(timeout=10)
        self.assertEqual(first.returncode, -signal.SIGKILL)
        self.store.release.set()
        stranded = OutgoingMessage.objects.get(status=MessageStatus.SENDING)
        self.assertEqual((stranded.channel, stranded.attempts), ("email", 1))

        second = self.start_worker(self.worker_env())

        def all_sent() -> bool:
            self.sweep()  # the systemd timer's job, run here every 0.2 s
            return (
                OutboxEvent.objects.exclude(status=EventStatus.DONE).count() == 0
                and OutgoingMessage.objects.count() == 2 * PATIENTS
                and OutgoingMessage.objects.exclude(status=MessageStatus.SENT).count() == 0
            )

        self.wait_for(all_sent, second, timeout=90)
        self.stop_worker(second)

        rows = list(OutgoingMessage.objects.all())
        emails = [row for row in rows if row.channel == "email"]
        sms = [row for row in rows if row.channel == "sms"]
        self.assertEqual((len(emails), len(sms)), (PATIENTS, PATIENTS))

        # The mail store: every email present once by its Message-ID; the one the kill
        # interrupted came twice with the same Message-ID and is held once.
        delivered = self.store.delivered()
        self.assertEqual(set(delivered), {f"<{row.provider_id}>" for row in emails})
        self.assertEqual(sorted(delivered.values()), [1] * (PATIENTS - 1) + [2])
        stranded.refresh_from_db()
        self.assertEqual((stranded.status, stranded.attempts), (MessageStatus.SENT, 2))
        self.assertEqual(delivered[f"<{stranded.provider_id}>"], 2)

        # Twilio: each SMS once, under its delivery key, none missing.
        keys = Counter(request["headers"].get("Idempotency-Key") for request in self.sms.requests)
        self.assertEqual(keys, Counter({delivery_key(row): 1 for row in sms}))
