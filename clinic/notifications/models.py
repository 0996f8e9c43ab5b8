from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.core.models import BaseModel


class Channel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms", "SMS"


class MessageStatus(models.TextChoices):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    AWAITING_RETRY = "awaiting_retry", "Awaiting retry"
    FAILED = "failed"
    # No longer worth sending (an appointment cancelled before its reminder went out,
    # an OTP replaced by a newer one).
    SKIPPED = "skipped"


class OutgoingMessage(BaseModel):
    """One email or SMS: the outbox row a task sends and records.

    Only ids go into `context`; the body is rendered at send time from the
    templates and fresh data, so no message text (and never an OTP) rests here.
    """

    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="Where it is sent; never shown.")
    recipient_masked = models.CharField("recipient", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_messages",
    )
    template = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=14, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, help_text="e.g. Twilio's SID.")
    # Makes "send this notification once" a database rule (e.g. one reminder per
    # appointment and channel), whatever runs twice.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="outgoingmessage_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outgoingmessage_due"),
        ]

    def __str__(self):
        return f"{self.template} {self.channel} to {self.recipient_masked} ({self.status})"


class EventStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxEvent(BaseModel):
    """Something the patient must hear about, written in the same transaction as the change.

    A rollback removes it with the change; a crash after the commit leaves it
    pending for `retry_messages`. The worker turns it into OutgoingMessage rows
    through the handler registered for `name` (clinic.notifications.registry).
    """

    name = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    status = models.CharField(
        max_length=8, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "event"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "updated_at"], name="outboxevent_due")]

    def __str__(self):
        return f"{self.name} #{self.object_id} ({self.status})"
