"""Events: how a domain service tells patients what happened, without losing or inventing a word.

A service calls `event_emit(name=..., object_id=...)` INSIDE the transaction
of its change. That writes one OutboxEvent row, so the change and the promise
to tell the patient commit together or not at all: a rollback leaves no event
(nothing is sent), a crash after the commit leaves a pending event that
`retry_messages` re-enqueues. After the commit a `deliver_event` task is
enqueued; the worker runs the handler the owning app registered
(clinic.notifications.registry), which queues OutgoingMessage rows, and marks
the event done, all in one transaction.

The request pays for one INSERT (the event) plus the task row the queue writes
after the commit; loading the patient and rendering happen in the worker.
"""

import datetime as dt
import logging
import random

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from clinic.core import clock
from clinic.notifications import registry
from clinic.notifications.models import EventStatus, OutboxEvent

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A pending event untouched this long lost its task (a crash between the
# commit and the enqueue, or a worker killed while handling it).
LOST_AFTER = dt.timedelta(minutes=5)


def event_emit(*, name: str, object_id: int) -> OutboxEvent:
    """Record, in the caller's transaction, that `name` happened to object `object_id`.

    Raises ValueError for an event no app registered or an id that is not a
    number: a bug to surface in tests, not a notification problem.
    """
    registry.event_handler(name)
    event = OutboxEvent.objects.create(name=name, object_id=int(object_id))
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand the event to the task queue; a failure here leaves it for the sweep."""
    from clinic.notifications.tasks import deliver_event

    task = deliver_event
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # The immediate backend cannot wait: retry_messages picks it up.
        task = task.using(run_after=run_after)
    try:
        task.enqueue(event_id=event_id)
    except Exception:
        logger.exception("Could not enqueue event %s; retry_messages will", event_id)


def event_deliver(*, event_id: int) -> str:
    """Queue the messages of one pending event (the worker's side). Never raises; safe twice.

    The event is locked, its handler runs, and the event is marked done in one
    transaction with the messages it queued: killed halfway, nothing of it stays.
    """
    now = clock.now()
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status != EventStatus.PENDING:
            return "not pending"
        if event.next_attempt_at and event.next_attempt_at > now:
            return "not due"
        event.attempts += 1
        try:
            with transaction.atomic():
                registry.event_handler(event.name)(event)
        except Exception as exc:
            # Keep the class, not the text, which might quote personal data.
            logger.exception("Event %s (%s) failed", event.pk, event.name)
            return _failed(event, error=f"{type(exc).__name__} in the {event.name} handler")
        event.status = EventStatus.DONE
        event.processed_at = now
        event.last_error = ""
        event.next_attempt_at = None
        event.save()
    return EventStatus.DONE


def _failed(event: OutboxEvent, *, error: str) -> str:
    event.last_error = error
    if event.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        event.status = EventStatus.FAILED
        event.next_attempt_at = None
    else:
        event.next_attempt_at = clock.now() + backoff(event.attempts)
        transaction.on_commit(lambda: _enqueue(event.pk, run_after=event.next_attempt_at))
    event.save()
    return event.status if event.status == EventStatus.FAILED else "awaiting_retry"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 60 s, 120 s, ... capped at an hour, with jitter to spread a burst after an outage."""
    delay = min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
    return dt.timedelta(seconds=delay * random.uniform(1.0, 1.25))


def events_retry_due() -> int:
    """Re-enqueue pending events whose retry is due or whose task was lost."""
    now = clock.now()
    with transaction.atomic():
        due = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(status=EventStatus.PENDING)
            .filter(
                Q(next_attempt_at__lte=now)
                | Q(next_attempt_at__isnull=True, updated_at__lt=now - LOST_AFTER)
            )
            .values_list("pk", flat=True)
        )
        # Marked as just enqueued, so the next sweep waits LOST_AFTER before another copy.
        OutboxEvent.objects.filter(pk__in=due).update(next_attempt_at=None, updated_at=now)
    for pk in due:
        _enqueue(pk)
    return len(due)


def events_retry(*, ids) -> int:
    """Give failed events another try (the admin's action)."""
    with transaction.atomic():
        ids = list(
            OutboxEvent.objects.filter(pk__in=ids, status=EventStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        OutboxEvent.objects.filter(pk__in=ids).update(
            status=EventStatus.PENDING, next_attempt_at=None, updated_at=clock.now()
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _enqueue(pk))
    return len(ids)


# The names the domain services used before events were written in their
# transaction. They still work (now call them inside the transaction, not from
# on_commit); new code calls event_emit with the event's name.
def appointment_booked(*, appointment_id: int) -> OutboxEvent:
    return event_emit(name="appointment_booked", object_id=appointment_id)


def appointment_cancelled(*, appointment_id: int) -> OutboxEvent:
    return event_emit(name="appointment_cancelled", object_id=appointment_id)


def lab_report_ready(*, report_id: int) -> OutboxEvent:
    return event_emit(name="lab_report_ready", object_id=report_id)
