"""`manage.py prune_outbox`: finished outbox rows go after OUTBOX_RETENTION_DAYS, in batches;
pending, retrying and failed ones stay whatever their age."""

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from clinic.notifications.models import (
    EventStatus,
    MessageStatus,
    OutboxEvent,
    OutgoingMessage,
)
from clinic.notifications.pruning import outbox_prune
from clinic.testing import FIXED_NOW

OLD = FIXED_NOW - dt.timedelta(days=31)
RECENT = FIXED_NOW - dt.timedelta(days=29)


def event(status: str, *, touched) -> OutboxEvent:
    row = OutboxEvent.objects.create(name="appointment.booked", object_id=1, status=status)
    OutboxEvent.objects.filter(pk=row.pk).update(updated_at=touched, created_at=touched)
    return row


def message(status: str, *, touched) -> OutgoingMessage:
    row = OutgoingMessage.objects.create(
        channel="email", recipient="a@example.com", recipient_masked="a…@example.com",
        template="appointment_booked", status=status,
    )
    OutgoingMessage.objects.filter(pk=row.pk).update(updated_at=touched, created_at=touched)
    return row


@time_machine.travel(FIXED_NOW, tick=False)
@override_settings(OUTBOX_RETENTION_DAYS=30)
class OutboxPruneTests(TestCase):
    def test_it_deletes_only_old_finished_rows(self):
        old_done = event(EventStatus.DONE, touched=OLD)
        kept_events = [
            event(EventStatus.DONE, touched=RECENT),
            event(EventStatus.PENDING, touched=OLD),
            event(EventStatus.FAILED, touched=OLD),
        ]
        old_finished = [
            message(MessageStatus.SENT, touched=OLD),
            message(MessageStatus.SKIPPED, touched=OLD),
        ]
        kept_messages = [message(MessageStatus.SENT, touched=RECENT)] + [
            message(status, touched=OLD)
            for status in (
                MessageStatus.QUEUED,
                MessageStatus.SENDING,
                MessageStatus.AWAITING_RETRY,
                MessageStatus.FAILED,
            )
        ]
        self.assertEqual(outbox_prune(), {"events": 1, "messages": 2})
        self.assertFalse(OutboxEvent.objects.filter(pk=old_done.pk).exists())
        self.assertFalse(OutgoingMessage.objects.filter(pk__in=[m.pk for m in old_finished]))
        self.assertEqual(
            set(OutboxEvent.objects.values_list("pk", flat=True)), {e.pk for e in kept_events}
        )
        self.assertEqual(
            set(OutgoingMessage.objects.values_list("pk", flat=True)),
            {m.pk for m in kept_messages},
        )
        self.assertEqual(outbox_prune(), {"events": 0, "messages": 0})

    def test_the_retention_is_a_setting(self):
        message(MessageStatus.SENT, touched=RECENT)
        with override_settings(OUTBOX_RETENTION_DAYS=28):
            self.assertEqual(outbox_prune()["messages"], 1)

    def test_it_deletes_in_batches(self):
        """A backlog is deleted in short statements of at most `batch_size` rows."""
        for _ in range(5):
            message(MessageStatus.SENT, touched=OLD)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(outbox_prune(batch_size=2)["messages"], 5)
        deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
        # Three batches (2 + 2 + 1), one DELETE each.
        self.assertEqual(len(deletes), 3, deletes)
        self.assertFalse(OutgoingMessage.objects.exists())

    def test_the_command_reports_and_refuses_a_retention_under_a_day(self):
        event(EventStatus.DONE, touched=OLD)
        message(MessageStatus.SENT, touched=OLD)
        out = StringIO()
        call_command("prune_outbox", stdout=out)
        self.assertIn("Deleted 1 finished event(s) and 1 finished message(s).", out.getvalue())
        for argv in (["--days", "0"], ["--batch-size", "0"]):
            with self.subTest(argv=argv), self.assertRaises(CommandError):
                call_command("prune_outbox", *argv, stdout=StringIO())
