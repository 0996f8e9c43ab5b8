"""The outbox: queue a message in the caller's transaction, send it from a task, retry with backoff.

A service writes an OutgoingMessage row and enqueues `send_message` once the
surrounding transaction commits. The task locks the row, claims it, sends
with the row's delivery key (the email's Message-ID, the SMS request's
Idempotency-Key, the same on every attempt) and records the outcome. No
provider outage reaches the caller: errors are caught and recorded on the row.
"""

import datetime as dt
import hashlib
import logging
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from clinic.core import clock
from clinic.notifications import addresses, messages, registry, sender_locks
from clinic.notifications.backends import get_sms_backend
from clinic.notifications.backends.base import TransportError
from clinic.notifications.backends.email import send_email
from clinic.notifications.events import backoff
from clinic.notifications.models import Channel, MessageStatus, OutgoingMessage

logger = logging.getLogger(__name__)

# A row queued this long ago and never picked up lost its enqueue (a crash
# between commit and enqueue). On SQLite one "sending" this long crashed its
# worker; on PostgreSQL a dead sender is seen at once (sender_locks).
LOST_AFTER = dt.timedelta(minutes=5)
STUCK_AFTER = dt.timedelta(minutes=15)


def message_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    user=None,
    idempotency_key: str | None = None,
) -> OutgoingMessage | None:
    """Record a message and send it after the current transaction commits.

    Returns None when a message with the same idempotency key already exists.
    """
    registry.message_type(template)  # ValueError for a template no app registered
    try:
        with transaction.atomic():
            message = OutgoingMessage.objects.create(
                channel=channel,
                recipient=recipient,
                recipient_masked=addresses.mask(channel, recipient),
                user=user,
                template=template,
                context=context,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        if (
            idempotency_key
            and OutgoingMessage.objects.filter(idempotency_key=idempotency_key).exists()
        ):
            return None
        raise
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand the message to the task queue; a failure here leaves it for the sweep."""
    from clinic.notifications.tasks import send_message

    task = send_message
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # The immediate backend cannot wait: retry_messages picks it up.
        task = task.using(run_after=run_after)
    try:
        task.enqueue(message_id=message_id)
    except Exception:
        logger.exception("Could not enqueue message %s; retry_messages will", message_id)


def message_send(*, message_id: int) -> str:
    """Send one queued message and record the outcome. Safe to run twice."""
    # Held from before the claim is visible until the outcome is recorded, and
    # taken before the row lock, in the same order as the sweep takes them.
    sender_locks.acquire(message_id)
    try:
        now = clock.now()
        with transaction.atomic():
            message = OutgoingMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.status not in (
                MessageStatus.QUEUED,
                MessageStatus.AWAITING_RETRY,
            ):
                return "not pending"
            if message.next_attempt_at and message.next_attempt_at > now:
                return "not due"
            # Claim it: a second worker now sees "sending" and leaves it alone.
            message.status = MessageStatus.SENDING
            message.attempts += 1
            message.last_attempt_at = now
            message.save(update_fields=["status", "attempts", "last_attempt_at", "updated_at"])
        return _attempt(message)
    finally:
        sender_locks.release(message_id)


def _attempt(message: OutgoingMessage) -> str:
    try:
        content = messages.render(
            template=message.template, channel=message.channel, context=message.context
        )
        if content is None:
            _finish(message, status=MessageStatus.SKIPPED, last_error="No longer relevant.")
            return MessageStatus.SKIPPED
        provider_id = _transport(message, content)
    except TransportError as exc:
        return _failed(message, error=str(exc), permanent=exc.permanent)
    except Exception as exc:
        # A bug or an outage we did not foresee: keep the class, not the text,
        # which might quote the message.
        logger.exception("Message %s failed unexpectedly", message.pk)
        return _failed(message, error=f"Unexpected {type(exc).__name__}", permanent=False)
    _finish(
        message,
        status=MessageStatus.SENT,
        sent_at=clock.now(),
        provider_id=provider_id[:64],
        last_error="",
    )
    logger.info("Sent %s %s to %s", message.template, message.channel, message.recipient_masked)
    return MessageStatus.SENT


def delivery_key(message: OutgoingMessage) -> str:
    """The key the receiver sees on every attempt of this message, so a resend is recognised.

    Derived from the row alone (not the host): any worker on any machine sends
    the same key. A message rendered afresh for each attempt (a new one-time
    code) gets a key per attempt, since each attempt is a different message.
    """
    seed = f"{message.pk}:{message.created_at.isoformat()}:{message.idempotency_key or ''}"
    if registry.message_type(message.template).fresh_each_attempt:
        seed += f":{message.attempts}"
    return f"{message.pk}.{hashlib.sha256(seed.encode()).hexdigest()[:24]}"


def _message_id(message: OutgoingMessage) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{delivery_key(message)}@{domain}>"


def _transport(message: OutgoingMessage, content: messages.Rendered) -> str:
    if message.channel == Channel.SMS:
        return get_sms_backend().send(
            to=message.recipient, body=content.sms, idempotency_key=delivery_key(message)
        )
    return send_email(
        to=message.recipient,
        subject=content.subject,
        text=content.text,
        html=content.html,
        message_id=_message_id(message),
        attachments=content.attachments,
    )


def _failed(message: OutgoingMessage, *, error: str, permanent: bool) -> str:
    if permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _finish(message, status=MessageStatus.FAILED, last_error=error)
        logger.warning(
            "Gave up on message %s after %s attempt(s): %s", message.pk, message.attempts, error
        )
        return MessageStatus.FAILED
    next_at = clock.now() + backoff(message.attempts)
    _finish(message, status=MessageStatus.AWAITING_RETRY, last_error=error, next_attempt_at=next_at)
    logger.info("Message %s will be retried at %s: %s", message.pk, next_at, error)
    _enqueue(message.pk, run_after=next_at)
    return MessageStatus.AWAITING_RETRY


def _finish(message: OutgoingMessage, *, status: str, **fields) -> None:
    """Record the outcome of the attempt this worker claimed."""
    fields = {"next_attempt_at": None, **fields}
    OutgoingMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, updated_at=clock.now(), **fields
    )
    message.status = status
    for name, value in fields.items():
        setattr(message, name, value)


def messages_retry_due() -> int:
    """Re-enqueue what is due and what fell through the cracks; run it every minute or so.

    With a queue that cannot defer (the in-process default) this is what makes
    retries happen; with the database queue it is the safety net for lost
    tasks and dead workers. Each row it picks is marked queued just now, so
    the next run waits LOST_AFTER before enqueueing another copy.
    """
    now = clock.now()
    with transaction.atomic():
        dead = _dead_claims(now)
        due = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=MessageStatus.AWAITING_RETRY, next_attempt_at__lte=now)
                | Q(status=MessageStatus.QUEUED, updated_at__lt=now - LOST_AFTER)
            )
            .values_list("pk", flat=True)
        )
        OutgoingMessage.objects.filter(pk__in=dead + due).update(
            status=MessageStatus.QUEUED, next_attempt_at=None, updated_at=now
        )
    for pk in dead + due:
        _enqueue(pk)
    return len(dead + due)


def _dead_claims(now: dt.datetime) -> list[int]:
    """Rows left in "sending" by a worker that died: delivery is at least once."""
    sending = OutgoingMessage.objects.filter(status=MessageStatus.SENDING)
    if not sender_locks.supported():
        return list(
            sending.filter(last_attempt_at__lt=now - STUCK_AFTER).values_list("pk", flat=True)
        )
    dead = []
    for pk, attempts in sending.values_list("pk", "attempts"):
        with sender_locks.if_abandoned(pk) as abandoned:
            # Compare-and-swap: the sender may have finished since the read above.
            if abandoned and sending.filter(pk=pk, attempts=attempts).update(
                status=MessageStatus.QUEUED, next_attempt_at=None, updated_at=now
            ):
                dead.append(pk)
    return dead


def messages_retry(*, ids) -> int:
    """Send failed messages (or ones waiting for a retry) again now: the admin's action."""
    with transaction.atomic():
        ids = list(
            OutgoingMessage.objects.filter(
                pk__in=ids, status__in=[MessageStatus.FAILED, MessageStatus.AWAITING_RETRY]
            ).values_list("pk", flat=True)
        )
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=MessageStatus.QUEUED, next_attempt_at=None, updated_at=clock.now()
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _enqueue(pk))
    return len(ids)


def patient_notify(*, patient, template: str, context: dict, key: str) -> list[OutgoingMessage]:
    """Queue `template` for a patient on each verified address (addresses.patient_recipients).

    `key` makes each channel's message unique."""
    queued = [
        message_queue(
            channel=channel,
            recipient=recipient,
            template=template,
            context=context,
            user=patient.user,
            idempotency_key=f"{key}:{channel}",
        )
        for channel, recipient in addresses.patient_recipients(patient).items()
    ]
    return [message for message in queued if message is not None]
