"""The day-before reminder goes out once per appointment, however often the job runs."""

import datetime as dt
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from clinic.appointments.models import Appointment, Status
from clinic.appointments.reminders import reminders_send
from clinic.core import clock
from clinic.notifications.backends import sms_locmem
from clinic.notifications.models import OutgoingMessage
from clinic.notifications.tests.base import NotifyTestCase, make_verified_patient
from clinic.testing import FIXED_NOW, make_doctor

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


def appointment(patient, doctor, day=TUESDAY, at=dt.time(9, 0), **extra) -> Appointment:
    return Appointment.objects.create(
        patient=patient, doctor=doctor, date=day, start=at, slot_number=1, **extra
    )


class ReminderTests(NotifyTestCase):
    def run_job(self):
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", stdout=io.StringIO())

    def test_it_reminds_tomorrows_appointments(self):
        """Tomorrow's booked appointment gets an email and an SMS; its claim is recorded."""
        booked = appointment(self.alice, self.dr_rao)
        self.run_job()
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Reminder", mail.outbox[0].subject)
        self.assertIn("09:00 AM", mail.outbox[0].body)
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertIn("reminder", self.sms_outbox[0].body)
        self.assertEqual(Appointment.objects.get(pk=booked.pk).reminder_sent_at, clock.now())

    def test_running_twice_sends_once(self):
        """A second run finds nothing left to remind."""
        appointment(self.alice, self.dr_rao)
        self.run_job()
        self.run_job()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertEqual(OutgoingMessage.objects.count(), 2)

    def test_it_skips_other_days_and_cancelled_appointments(self):
        """Today's, the day after tomorrow's and cancelled appointments get no reminder."""
        appointment(self.alice, self.dr_rao, day=FIXED_NOW.date(), at=dt.time(11, 0))
        appointment(self.alice, self.dr_rao, day=TUESDAY + dt.timedelta(days=1))
        appointment(self.bob, self.dr_rao, status=Status.CANCELLED)
        self.run_job()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(OutgoingMessage.objects.count(), 0)

    def test_an_appointment_claimed_elsewhere_is_left_alone(self):
        """Once reminder_sent_at is set (by another machine), nothing is queued."""
        appointment(self.alice, self.dr_rao, reminder_sent_at=clock.now())
        self.assertEqual(reminders_send(), 0)
        self.assertEqual(OutgoingMessage.objects.count(), 0)

    def test_a_reminder_for_an_appointment_cancelled_meanwhile_is_skipped(self):
        """A reminder still queued when the appointment is cancelled is not sent."""
        booked = appointment(self.alice, self.dr_rao)
        reminders_send()  # queued; the on-commit send is discarded
        Appointment.objects.filter(pk=booked.pk).update(status=Status.CANCELLED)
        from clinic.notifications.services import message_send

        for message in OutgoingMessage.objects.all():
            self.assertEqual(message_send(message_id=message.pk), "skipped")
        self.assertEqual(mail.outbox, [])

    def test_query_count_per_appointment_is_constant(self):
        """Each reminder costs the same number of queries, however many there are."""

        def queries_for(count: int) -> int:
            Appointment.objects.all().delete()
            for _ in range(count):
                appointment(make_verified_patient(), make_doctor(schedule=False))
            with CaptureQueriesContext(connection) as queries:
                reminders_send()
            return len(queries)

        one, two, five = queries_for(1), queries_for(2), queries_for(5)
        self.assertEqual(five - one, 4 * (two - one))


@pytest.mark.postgres
@override_settings(
    SMS_BACKEND="clinic.notifications.backends.sms_locmem.LocmemSmsBackend",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
)
class ReminderRaceTests(TransactionTestCase):
    """Two machines running the job at the same moment: each reminder is queued once."""

    def test_two_concurrent_runs_remind_once(self):
        """Eight appointments, two threads racing through them: sixteen messages, not more."""
        tomorrow = clock.today() + dt.timedelta(days=1)
        for _ in range(8):
            appointment(make_verified_patient(), make_doctor(schedule=False), day=tomorrow)
        sms_locmem.outbox.clear()
        barrier = threading.Barrier(2)
        claimed = []

        def run():
            try:
                barrier.wait()
                claimed.append(reminders_send())
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(claimed), 8)
        self.assertEqual(OutgoingMessage.objects.count(), 16)
        self.assertEqual(len(mail.outbox), 8)
        sms_locmem.outbox.clear()
