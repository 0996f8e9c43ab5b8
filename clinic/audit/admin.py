from django.contrib import admin

from clinic.audit.models import RecordAccess
from clinic.core.admin import ReadOnlyAdminMixin


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is written by log_record_access and never edited."""

    list_display = ["at", "user", "patient", "via", "ip_address", "path"]
    list_filter = ["via"]
    list_select_related = ["user", "patient"]
    autocomplete_fields = ["patient"]
    search_fields = ["patient__record_number", "user__username"]
    date_hierarchy = "at"
