from django.contrib import admin

from clinic.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
