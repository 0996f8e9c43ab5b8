from django.contrib import admin, messages

from clinic.core.admin import ReadOnlyAdminMixin
from clinic.notifications.events import events_retry
from clinic.notifications.models import OutboxEvent, OutgoingMessage
from clinic.notifications.services import messages_retry


class _ReadOnlyWithRetry(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows are written by the services only; staff who may change them may retry failures."""

    def has_retry_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(_ReadOnlyWithRetry):
    """The outbox: status, attempts and last error of every message. The full recipient
    address is never displayed."""

    list_display = [
        "created_at",
        "template",
        "channel",
        "recipient_masked",
        "user",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["user__username", "user__email", "idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["retry"]
    fields = [
        "template",
        "channel",
        "recipient_masked",
        "user",
        "context",
        "status",
        "attempts",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "provider_id",
        "idempotency_key",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.action(description="Send the selected failed messages again now", permissions=["retry"])
    def retry(self, request, queryset):
        count = messages_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{count} message(s) queued again; only failed or waiting ones are retried.",
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(OutboxEvent)
class OutboxEventAdmin(_ReadOnlyWithRetry):
    """What the domain recorded for patients to hear about, and whether it became messages."""

    list_display = [
        "created_at",
        "name",
        "object_id",
        "status",
        "attempts",
        "next_attempt_at",
        "processed_at",
        "last_error",
    ]
    list_filter = ["status", "name"]
    search_fields = ["name", "=object_id"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = list_display + ["updated_at"]
    readonly_fields = fields

    @admin.action(description="Process the selected failed events again", permissions=["retry"])
    def retry(self, request, queryset):
        count = events_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{count} event(s) queued again; only failed ones are retried.",
            messages.SUCCESS if count else messages.WARNING,
        )
