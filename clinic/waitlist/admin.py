"""The staff's view of the waiting list: per doctor and day, first in line first."""

import datetime as dt

from django.contrib import admin

from clinic.core import clock
from clinic.core.admin import ReadOnlyAdminMixin, TimestampedAdminMixin
from clinic.patients.admin import patient_search_fields
from clinic.waitlist.models import WaitlistEntry


class CoversDayFilter(admin.SimpleListFilter):
    """Entries whose date range covers a day (the list's date filter, ?covers=YYYY-MM-DD)."""

    title = "waiting on"
    parameter_name = "covers"

    def lookups(self, request, model_admin):
        today = clock.today()
        return [
            ((today + dt.timedelta(days=n)).isoformat(), f"{today + dt.timedelta(days=n):%a %d %b}")
            for n in range(7)
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(first_day__lte=self.value(), last_day__gte=self.value())


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdminMixin, TimestampedAdminMixin, admin.ModelAdmin):
    """Read-only: patients join and leave through the API and the portal, offers are automatic."""

    list_display = [
        "id",
        "doctor",
        "patient",
        "first_day",
        "last_day",
        "status",
        "offer_date",
        "offer_start",
        "offer_expires_at",
        "created_at",
    ]
    list_filter = ["status", "doctor", CoversDayFilter, "first_day"]
    search_fields = [*patient_search_fields("patient"), "doctor__name", "=id"]
    list_select_related = ["patient__user", "doctor"]
    autocomplete_fields = ["patient", "doctor"]
    # First in line first, as offers go.
    ordering = ["doctor", "created_at", "pk"]
    date_hierarchy = "first_day"
