"""The send task: claims a row once, retries transient failures with backoff, gives up in time."""

import datetime as dt
import io
from contextlib import contextmanager
from unittest import skipIf

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from clinic.core import clock
from clinic.notifications import sender_locks
from clinic.notifications.models import MessageStatus, OutgoingMessage
from clinic.notifications.services import (
    delivery_key,
    message_queue,
    message_send,
    messages_retry_due,
)
from clinic.notifications.tests import flaky_sms
from clinic.notifications.tests.base import ALICE_E164, ALICE_PHONE, CODE, NotifyTestCase
from clinic.otp.models import OtpCode
from clinic.otp.services import otp_issue, otp_verify
from clinic.testing import FIXED_NOW, make_doctor


@override_settings(SMS_BACKEND="clinic.notifications.tests.flaky_sms.FlakySmsBackend")
class SendMessageTests(NotifyTestCase):
    def setUp(self):
        super().setUp()
        flaky_sms.script.clear()
        self.addCleanup(flaky_sms.script.clear)
        from clinic.appointments.models import Appointment

        self.appointment = Appointment.objects.create(
            patient=self.alice, doctor=self.dr_rao, date=FIXED_NOW.date() + dt.timedelta(days=1),
            start=dt.time(9, 0), slot_number=1,
        )

    def queue_sms(self) -> OutgoingMessage:
        return message_queue(
            channel="sms", recipient=ALICE_E164, template="appointment_booked",
            context={"appointment_id": self.appointment.pk}, user=self.alice.user,
        )

    def test_it_sends_and_records(self):
        """A queued message is sent once and recorded as sent."""
        message = self.queue_sms()
        self.assertEqual(message_send(message_id=message.pk), "sent")
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.SENT, 1))
        self.assertEqual(message.sent_at, clock.now())
        self.assertTrue(message.provider_id.startswith("locmem-"))
        self.assertEqual(message_send(message_id=message.pk), "not pending")  # a re-run is harmless
        self.assertEqual(len(self.sms_outbox), 1)

    def test_a_transient_failure_is_retried_with_backoff(self):
        """Timeouts wait 30 s, then 60 s, ... before the next try, and then it goes out."""
        flaky_sms.script[:] = ["transient", "transient"]
        message = self.queue_sms()
        self.assertEqual(message_send(message_id=message.pk), "awaiting_retry")
        message.refresh_from_db()
        self.assertEqual(message.last_error, "Provider timed out")
        first_wait = (message.next_attempt_at - clock.now()).total_seconds()
        self.assertTrue(30 <= first_wait <= 37.5, first_wait)
        self.assertEqual(message_send(message_id=message.pk), "not due")
        self.assertEqual(messages_retry_due(), 0)

        self.travel(first_wait)
        self.assertEqual(messages_retry_due(), 1)  # runs the task in-process (immediate backend)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.AWAITING_RETRY, 2))
        second_wait = (message.next_attempt_at - clock.now()).total_seconds()
        self.assertTrue(60 <= second_wait <= 75, second_wait)

        self.travel(second_wait)
        call_command("retry_messages", stdout=io.StringIO())
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.SENT, 3))
        self.assertEqual(message.last_error, "")
        self.assertEqual(len(self.sms_outbox), 1)

    def test_a_permanent_failure_is_not_retried(self):
        """An invalid number fails at once."""
        flaky_sms.script[:] = ["permanent"]
        message = self.queue_sms()
        self.assertEqual(message_send(message_id=message.pk), "failed")
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.FAILED, 1))
        self.assertIsNone(message.next_attempt_at)
        self.travel(3600)
        self.assertEqual(messages_retry_due(), 0)

    @override_settings(NOTIFY_MAX_ATTEMPTS=3)
    def test_it_gives_up_after_the_last_attempt(self):
        """After NOTIFY_MAX_ATTEMPTS transient failures the message is failed."""
        flaky_sms.script[:] = ["transient"] * 5
        message = self.queue_sms()
        for expected in ["awaiting_retry", "awaiting_retry", "failed"]:
            self.travel(3600)
            self.assertEqual(message_send(message_id=message.pk), expected)
        message.refresh_from_db()
        self.assertEqual(message.attempts, 3)

    @contextmanager
    def live_sender(self, message_id: int):
        """Another worker's database session, sending `message_id` (PostgreSQL)."""
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                key = [sender_locks.NAMESPACE, sender_locks._key(message_id)]
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
            yield
        finally:
            other.close()  # as a killed worker's connection drops: the lock goes with it

    def claimed_elsewhere(self) -> OutgoingMessage:
        message = self.queue_sms()
        OutgoingMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENDING, last_attempt_at=clock.now(), attempts=1
        )
        return message

    def test_a_row_claimed_by_another_worker_is_left_alone(self):
        """A message in "sending" is not sent again by another task."""
        message = self.claimed_elsewhere()
        self.assertEqual(message_send(message_id=message.pk), "not pending")
        self.assertEqual(self.sms_outbox, [])

    @skipIf(sender_locks.supported(), "PostgreSQL sees a dead sender at once (next test)")
    def test_without_sender_locks_a_stuck_send_is_retried_after_a_while(self):
        """SQLite: a row "sending" for 15 minutes belonged to a dead worker; it is sent again."""
        message = self.claimed_elsewhere()
        self.assertEqual(messages_retry_due(), 0)
        self.travel(16 * 60)
        self.assertEqual(messages_retry_due(), 1)  # the worker died: send it again
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.SENT, 2))

    @pytest.mark.postgres
    def test_a_live_sender_is_waited_for_and_a_dead_one_replaced_at_once(self):
        """PostgreSQL: while the sending worker's session holds the message's lock the sweep
        leaves it alone, however long it takes; once that session is gone, it is sent again."""
        message = self.claimed_elsewhere()
        with self.live_sender(message.pk):
            self.travel(3600)
            self.assertEqual(messages_retry_due(), 0)
        self.assertEqual(messages_retry_due(), 1)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.SENT, 2))
        self.assertEqual(len(self.sms_outbox), 1)

    def test_a_lost_enqueue_is_picked_up(self):
        """A row committed but never enqueued (crash in between) is sent by the sweep."""
        message = self.queue_sms()  # on-commit enqueue discarded by the test transaction
        self.assertEqual(messages_retry_due(), 0)
        self.travel(6 * 60)
        self.assertEqual(messages_retry_due(), 1)
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.SENT)

    def test_an_otp_retry_sends_a_new_code_and_only_that_one_works(self):
        """A failed OTP send leaves no usable code; the retry draws a fresh one."""
        flaky_sms.script[:] = ["transient"]
        with self.captureOnCommitCallbacks(execute=True):
            otp_issue(channel="sms", address=ALICE_PHONE, client_key="127.0.0.1")
        self.assertEqual(self.sms_outbox, [])
        self.assertNotEqual(OtpCode.objects.get().code_hash, "")  # the undelivered code's hash
        self.travel(40)
        messages_retry_due()
        code = CODE.search(self.sms_outbox[-1].body).group(1)
        self.assertTrue(otp_verify(channel="sms", address=ALICE_PHONE, code=code))

    def test_the_delivery_key_is_the_same_on_every_attempt_except_for_new_codes(self):
        """A resent confirmation keeps its key; each OTP attempt is a new code, so a new key."""
        message = self.queue_sms()
        first = delivery_key(message)
        message.attempts = 2
        self.assertEqual(delivery_key(message), first)
        self.assertNotEqual(delivery_key(self.queue_sms()), first)  # another message
        otp = message_queue(
            channel="sms", recipient=ALICE_E164, template="otp_code",
            context={"otp_id": 1, "generation": 1}, user=self.alice.user,
        )
        otp.attempts = 1
        one = delivery_key(otp)
        otp.attempts = 2
        self.assertNotEqual(delivery_key(otp), one)

    def test_an_otp_send_after_expiry_is_skipped(self):
        """A code whose send is retried after the code expired is not sent at all."""
        flaky_sms.script[:] = ["transient"]
        with self.captureOnCommitCallbacks(execute=True):
            otp_issue(channel="sms", address=ALICE_PHONE, client_key="127.0.0.1")
        self.travel(11 * 60)
        messages_retry_due()
        self.assertEqual(self.sms_outbox, [])
        self.assertEqual(OutgoingMessage.objects.get().status, MessageStatus.SKIPPED)

    def test_html_and_text_emails_render_for_every_template(self):
        """Each template renders its subject, text, HTML and SMS without errors."""
        from clinic.labs.models import LabReport
        from clinic.notifications.messages import render
        from clinic.notifications.registry import message_templates

        report = LabReport.objects.create(
            patient=self.alice, doctor=make_doctor(), test="CBC", date=FIXED_NOW.date(),
            status="released", file="reports/cbc.pdf", released_at=FIXED_NOW,
        )
        from clinic.appointments.services import appointment_reschedule

        appointment_reschedule(
            patient=self.alice, appointment_id=self.appointment.pk,
            day=self.appointment.date, start=dt.time(11, 30),
        )
        from clinic.waitlist.models import WaitlistEntry

        entry = WaitlistEntry.objects.create(
            patient=self.bob, doctor=self.dr_rao, first_day=self.appointment.date,
            last_day=self.appointment.date, status="offered", offer_date=self.appointment.date,
            offer_start=dt.time(9, 0), offer_expires_at=FIXED_NOW + dt.timedelta(minutes=15),
        )
        contexts = {
            "waitlist_offer": {"entry_id": entry.pk},
            "appointment_rescheduled": {"move_id": self.appointment.moves.get().pk},
            "appointment_booked": {"appointment_id": self.appointment.pk},
            "appointment_reminder": {"appointment_id": self.appointment.pk},
            "lab_report_ready": {"report_id": report.pk},
        }
        for template, context in contexts.items():
            with self.subTest(template=template):
                email = render(template=template, channel="email", context=context)
                sms = render(template=template, channel="sms", context=context)
                self.assertTrue(email.subject and "\n" not in email.subject)
                self.assertIn("<html", email.html)
                self.assertNotIn("&#x27;", email.text)  # text parts are not HTML-escaped
                self.assertLessEqual(len(sms.sms), 320)  # two SMS segments at most
        self.assertEqual(
            message_templates() - set(contexts), {"otp_code", "appointment_cancelled"}
        )
        self.assertEqual(mail.outbox, [])
