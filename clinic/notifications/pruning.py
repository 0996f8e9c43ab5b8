"""Pruning of the outbox: finished events and messages go after OUTBOX_RETENTION_DAYS.

Only rows nothing will read again are deleted: events that are done, and messages
that were sent or skipped. Pending, retrying and failed rows stay whatever their
age (a failed one waits for staff to retry it in the admin). Idempotency keys die
with their rows, which is safe: every key names one event, appointment reminder or
OTP generation, long past by then.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from clinic.core import clock
from clinic.notifications.models import EventStatus, MessageStatus, OutboxEvent, OutgoingMessage

BATCH_SIZE = 1000
FINISHED_MESSAGES = (MessageStatus.SENT, MessageStatus.SKIPPED)


def _delete_in_batches(queryset, *, batch_size: int) -> int:
    """Delete in short transactions, so a large backlog never holds long locks."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted
            count, _ = queryset.model.objects.filter(pk__in=ids).delete()
            deleted += count


def outbox_prune(*, retention_days: int | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Delete done events and sent or skipped messages last touched before the cutoff.

    Returns how many of each were deleted.
    """
    days = settings.OUTBOX_RETENTION_DAYS if retention_days is None else retention_days
    if days < 1:
        raise ValueError("The outbox retention must be at least one day.")
    cutoff = clock.now() - dt.timedelta(days=days)
    return {
        "events": _delete_in_batches(
            OutboxEvent.objects.filter(status=EventStatus.DONE, updated_at__lt=cutoff),
            batch_size=batch_size,
        ),
        "messages": _delete_in_batches(
            OutgoingMessage.objects.filter(status__in=FINISHED_MESSAGES, updated_at__lt=cutoff),
            batch_size=batch_size,
        ),
    }
