from django.contrib import admin

from clinic.core.audit import audit_log
from clinic.core.errors import ApplicationError
from clinic.core.models import AuditEvent, ThrottleCounter


class ServiceRefused(Exception):
    """Carries a service's refusal out of the admin's transaction to the form."""

    def __init__(self, error: ApplicationError):
        super().__init__(error.message)
        self.error = error


class ServiceErrorsAsFormErrorsMixin:
    """Show a domain error raised while saving as a form error, never a 500.

    save_model / save_related call services and raise ServiceRefused(error) on a
    refusal. The admin's transaction rolls back, and the same POST is rendered
    again with the service's message on the field it names (service_field_names
    maps the service's field names to the form's).
    """

    service_field_names: dict[str, str] = {}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_refusal", None)
        return _form_refusing(form, error, self.service_field_names) if error else form


def _form_refusing(form_class, error: ApplicationError, names: dict[str, str]):
    field = names.get(error.field or "", error.field)
    message = error.message
    if error.field and message.startswith(f"{error.field}: "):
        message = message[len(error.field) + 2 :]

    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            self.add_error(field if field in self.fields else None, message)
            return cleaned

    return RefusedForm


class AuditedAdminMixin:
    """Leave an audit trail for plain admin writes to medical data.

    Writes that go through a service are audited there; this covers the admin's
    own saves and deletes. Only field names are recorded, never values.
    """

    audit_prefix: str = ""

    def _audit_action(self, verb: str) -> str:
        return f"{self.audit_prefix or self.model._meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data) if change else []
        verb = "admin_updated" if change else "admin_created"
        audit_log(actor=request.user, action=self._audit_action(verb), obj=obj, fields=fields)

    def delete_model(self, request, obj):
        audit_log(actor=request.user, action=self._audit_action("admin_deleted"), obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_log(actor=request.user, action=self._audit_action("admin_deleted"), obj=obj)
        super().delete_queryset(request, queryset)


class TimestampedAdminMixin:
    """created_at / updated_at shown read-only on the change form."""

    timestamp_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.timestamp_fields]


class ReadOnlyAdminMixin:
    """For rows only the services write (logs, moves, queues): the admin shows, never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "data"]


@admin.register(ThrottleCounter)
class ThrottleCounterAdmin(admin.ModelAdmin):
    """The database's throttle windows (without Redis). Deleting one lifts that limit now;
    the names are hashes, so nothing here says who was throttled."""

    list_display = ["key", "count", "expires_at"]
    readonly_fields = ["key", "count", "expires_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
