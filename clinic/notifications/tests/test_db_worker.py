"""The production queue: messages wait in PostgreSQL until a real `db_worker` process sends them."""

import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from clinic.appointments.models import Appointment
from clinic.core import clock
from clinic.notifications import events
from clinic.notifications.models import MessageStatus, OutboxEvent, OutgoingMessage
from clinic.notifications.tests.base import CODE, make_verified_patient
from clinic.notifications.tests.test_loopback_transports import Inbox, free_port
from clinic.otp.services import otp_issue, otp_verify
from clinic.patients.models import Patient
from clinic.testing import make_doctor

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcessMixin:
    """Starts real `manage.py db_worker` processes on the test database."""

    def start_worker(self, extra_env: dict | None = None) -> subprocess.Popen:
        env = {
            **os.environ,
            # The test database, not the development one.
            "DATABASE_URL": database_url(),
            "TASKS_BACKEND": "database",
            "SECRET_KEY": settings.SECRET_KEY,
            "SMS_BACKEND": "clinic.notifications.backends.sms_locmem.LocmemSmsBackend",
            "DEBUG": "0",
            **(extra_env or {}),
        }
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2",
             "--no-startup-delay", "--no-reload"],
            cwd=settings.BASE_DIR, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.addCleanup(self.stop_worker, worker)
        return worker

    def stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def wait_for(self, condition, worker, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if worker.poll() is not None:
                self.fail(f"the worker exited early:\n{worker.stdout.read()}")
            time.sleep(0.2)
        self.stop_worker(worker)
        self.fail(f"timed out; worker output:\n{worker.stdout.read()}")


@pytest.mark.postgres
@override_settings(TASKS=DATABASE_QUEUE)
class DatabaseWorkerTests(WorkerProcessMixin, TransactionTestCase):
    def setUp(self):
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)

    def start_worker(self, extra_env: dict | None = None) -> subprocess.Popen:
        return super().start_worker({
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            **(extra_env or {}),
        })

    def test_a_worker_process_delivers_queued_messages(self):
        """A booking's messages wait in PostgreSQL until a db_worker process sends them."""
        patient = make_verified_patient(first_name="Alice", phone="9876543210")
        doctor = make_doctor(name="Dr. Asha Rao")
        appointment = Appointment.objects.create(
            patient=patient, doctor=doctor, date=clock.today() + dt.timedelta(days=1),
            start=dt.time(11, 30), slot_number=6,
        )
        events.appointment_booked(appointment_id=appointment.pk)  # autocommit: enqueued now
        # The request's share: the event row and one task row; the worker renders and
        # queues the messages.
        self.assertEqual(OutboxEvent.objects.count(), 1)
        self.assertEqual(DBTaskResult.objects.count(), 1)
        self.assertEqual(OutgoingMessage.objects.count(), 0)
        time.sleep(0.5)
        self.assertEqual(self.inbox.envelopes, [])  # nothing is sent without a worker

        worker = self.start_worker()
        self.wait_for(
            lambda: OutgoingMessage.objects.filter(status=MessageStatus.SENT).count() == 2, worker
        )
        self.assertEqual(len(self.inbox.envelopes), 1)
        received = email.message_from_bytes(
            self.inbox.envelopes[0].content, policy=email.policy.default
        )
        self.assertEqual(received["To"], patient.user.email)
        self.assertIn("11:30 AM", received.get_body(("plain",)).get_content())
        self.assertEqual(
            set(DBTaskResult.objects.values_list("status", flat=True)), {"SUCCESSFUL"}
        )

        # The same worker draws and sends an OTP; the code it hashed verifies here.
        Patient.objects.filter(pk=patient.pk).update(sms_opt_out=True)
        otp_issue(channel="email", address=patient.user.email, client_key="127.0.0.1")
        self.wait_for(lambda: len(self.inbox.envelopes) == 2, worker)
        body = email.message_from_bytes(
            self.inbox.envelopes[1].content, policy=email.policy.default
        ).get_body(("plain",)).get_content()
        code = CODE.search(body).group(1)
        self.assertTrue(otp_verify(channel="email", address=patient.user.email, code=code))
        self.assertNotIn(code, str(list(DBTaskResult.objects.values("args_kwargs"))))

        self.stop_worker(worker)
        self.assertEqual(worker.returncode, 0)
