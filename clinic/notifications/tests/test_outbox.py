"""Nothing lost, nothing invented: events are written in the transaction of their change."""

import datetime as dt
import io
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core.errors import NotFound
from clinic.notifications import registry
from clinic.notifications.events import event_emit, events_retry, events_retry_due
from clinic.notifications.models import EventStatus, MessageStatus, OutboxEvent, OutgoingMessage
from clinic.notifications.tests.base import NotifyTestCase
from clinic.testing import FIXED_NOW

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


def sweep() -> str:
    out = io.StringIO()
    call_command("retry_messages", stdout=out)
    return out.getvalue()


class OutboxEventTests(NotifyTestCase):
    def book(self, at=dt.time(9, 30)) -> Appointment:
        return appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=at)

    def test_a_booking_writes_its_event_in_its_own_transaction(self):
        """The event row exists as soon as the booking does; the delivery waits for the commit."""
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            appointment = self.book()
            event = OutboxEvent.objects.get()
        self.assertEqual(
            (event.name, event.object_id, event.status),
            ("appointment_booked", appointment.pk, EventStatus.PENDING),
        )
        self.assertEqual(len(callbacks), 1)  # the enqueue, after the commit
        self.assertEqual(OutgoingMessage.objects.count(), 0)

    def test_a_crash_after_the_commit_loses_nothing(self):
        """The commit happened but the enqueue never ran (the process died): the sweep
        delivers the confirmation from the event row."""
        self.book()  # the TestCase drops the on-commit enqueue, as a crash would
        self.assertIn("Re-enqueued 0 event(s)", sweep())  # a fresh event is not lost yet
        self.travel(6 * 60)
        with self.captureOnCommitCallbacks(execute=True):  # the messages' enqueue
            self.assertIn("Re-enqueued 1 event(s)", sweep())
        self.assertEqual(OutboxEvent.objects.get().status, EventStatus.DONE)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertIn("Re-enqueued 0 event(s)", sweep())

    def test_a_rolled_back_booking_sends_nothing(self):
        """When the surrounding transaction rolls back, the event goes with the booking."""
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    self.book()
                    raise RuntimeError("the request failed after booking")
            except RuntimeError:
                pass
        self.assertFalse(Appointment.objects.exists())
        self.assertFalse(OutboxEvent.objects.exists())
        self.travel(3600)
        sweep()
        self.assertEqual((mail.outbox, self.sms_outbox), ([], []))

    def test_a_refused_cancellation_writes_no_event(self):
        """All or nothing: a cancellation refused for one id records no event for the others."""
        with self.captureOnCommitCallbacks(execute=True):
            appointment = self.book()
        with self.assertRaises(NotFound):
            appointment_cancel(patient=self.alice, ids=[appointment.pk, 999999])
        self.assertEqual(
            list(OutboxEvent.objects.values_list("name", flat=True)), ["appointment_booked"]
        )
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=self.alice, ids=[appointment.pk])
        self.assertEqual(
            OutboxEvent.objects.filter(name="appointment_cancelled", status="done").count(), 1
        )
        self.assertIn("Appointment cancelled", mail.outbox[-1].subject)

    def test_the_event_costs_the_booking_one_query(self):
        """Writing the event inside the booking's transaction is one INSERT, nothing more."""
        with self.assertNumQueries(1):
            event_emit(name="appointment_booked", object_id=1)

    def test_a_failing_handler_is_retried_with_backoff_then_given_up(self):
        """A handler that raises leaves the event pending with the error and a backoff;
        after NOTIFY_MAX_ATTEMPTS it is failed, and the admin's retry revives it."""
        calls = []

        def flaky(event):
            calls.append(event.pk)
            raise ConnectionError("patient@example.com is unreachable")

        with (
            mock.patch.dict(registry._event_handlers, {"test_flaky": flaky}),
            override_settings(NOTIFY_MAX_ATTEMPTS=2),
        ):
            with self.captureOnCommitCallbacks(execute=True):
                event = event_emit(name="test_flaky", object_id=7)
            event.refresh_from_db()
            self.assertEqual((event.status, event.attempts), (EventStatus.PENDING, 1))
            self.assertEqual(event.last_error, "ConnectionError in the test_flaky handler")
            wait = (event.next_attempt_at - FIXED_NOW).total_seconds()
            self.assertTrue(30 <= wait <= 37.5, wait)
            self.assertEqual(events_retry_due(), 0)  # not due yet

            self.travel(wait)
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(events_retry_due(), 1)
            event.refresh_from_db()
            self.assertEqual((event.status, event.attempts), (EventStatus.FAILED, 2))
            self.travel(3600)
            self.assertEqual(events_retry_due(), 0)  # failed is final until someone retries

            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(events_retry(ids=[event.pk]), 1)
            self.assertEqual(len(calls), 3)
        self.assertEqual(OutgoingMessage.objects.count(), 0)

    def test_a_handler_failure_rolls_back_the_messages_it_queued(self):
        """The messages an event queued and its "done" commit together: a handler that fails
        halfway leaves no message behind to be sent twice later."""

        def half(event):
            from clinic.notifications.services import message_queue

            message_queue(
                channel="email",
                recipient="alice@example.com",
                template="appointment_booked",
                context={"appointment_id": 1},
                idempotency_key="half:1:email",
            )
            raise RuntimeError("boom")

        with mock.patch.dict(registry._event_handlers, {"test_half": half}):
            with self.captureOnCommitCallbacks(execute=True):
                event_emit(name="test_half", object_id=1)
        self.assertEqual(OutgoingMessage.objects.count(), 0)
        self.assertEqual(OutboxEvent.objects.get().status, EventStatus.PENDING)

    def test_the_sweep_does_not_pile_up_copies(self):
        """A lost message is re-enqueued once per LOST_AFTER, not on every run of the sweep."""
        self.book()
        self.travel(6 * 60)
        with mock.patch("clinic.notifications.events._enqueue") as enqueue:
            sweep()
            sweep()
        self.assertEqual(enqueue.call_count, 1)
        self.travel(6 * 60)
        with self.captureOnCommitCallbacks(execute=True):
            sweep()
        self.assertEqual(
            set(OutgoingMessage.objects.values_list("status", flat=True)), {MessageStatus.SENT}
        )
