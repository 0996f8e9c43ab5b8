from django.contrib import admin

from clinic.core.admin import TimestampedAdminMixin
from clinic.doctors.models import Doctor, TimeOff, WeeklySchedule
from clinic.doctors.services import doctor_schedule_default


class WeeklyScheduleInline(admin.TabularInline):
    model = WeeklySchedule
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Doctor)
class DoctorAdmin(TimestampedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "specialty",
        "gender",
        "experience_years",
        "office_number",
        "user",
        "is_active",
    ]
    list_filter = ["specialty", "is_active", "gender"]
    search_fields = ["name", "specialty", "office_number"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [WeeklyScheduleInline, TimeOffInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A doctor with no sessions could never be booked: start from the clinic's week.
        doctor_schedule_default(doctor=form.instance)


@admin.register(WeeklySchedule)
class WeeklyScheduleAdmin(admin.ModelAdmin):
    list_display = ["doctor", "weekday", "start", "end", "slot_minutes"]
    list_filter = ["weekday", "doctor__specialty", "doctor"]
    search_fields = ["doctor__name", "doctor__specialty"]
    list_select_related = ["doctor"]
    autocomplete_fields = ["doctor"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["doctor", "start_date", "end_date", "reason"]
    list_filter = ["doctor__specialty", "doctor", "start_date"]
    search_fields = ["doctor__name", "reason"]
    date_hierarchy = "start_date"
    list_select_related = ["doctor"]
    autocomplete_fields = ["doctor"]
