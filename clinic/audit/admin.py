from django.contrib import admin

from clinic.audit.models import RecordAccess


@admin.register(RecordAccess)
class RecordAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is written by log_record_access and never edited."""

    list_display = ["at", "user", "patient", "via", "ip_address", "path"]
    list_filter = ["via"]
    list_select_related = ["user", "patient"]
    autocomplete_fields = ["patient"]
    search_fields = ["patient__record_number", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
