from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import TimestampedAdminMixin
from clinic.core.errors import InvalidInput
from clinic.doctors.models import Doctor, Location, TimeOff, WeeklySchedule
from clinic.doctors.services import SessionSpec, doctor_schedule_check, doctor_schedule_default


def _spec(data: dict) -> SessionSpec | None:
    fields = ("weekday", "start", "end", "slot_minutes")
    if any(data.get(name) is None for name in fields):
        return None  # the field errors already say what is missing
    return SessionSpec(*(data[name] for name in fields))


class WeeklyScheduleInlineFormSet(forms.BaseInlineFormSet):
    """The doctor's whole week is checked at once: no overlapping sessions, no
    upcoming booking left off the slots (doctor_schedule_check)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        week = [
            spec
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
            if (spec := _spec(form.cleaned_data)) is not None
        ]
        try:
            doctor_schedule_check(doctor=self.instance, sessions=week)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class WeeklyScheduleForm(forms.ModelForm):
    """One session edited alone: checked against the doctor's other sessions."""

    class Meta:
        model = WeeklySchedule
        fields = ["doctor", "location", "weekday", "start", "end", "slot_minutes"]

    def clean(self):
        data = super().clean()
        doctor, spec = data.get("doctor"), _spec(data)
        if doctor is None or spec is None:
            return data
        others = doctor.schedules.exclude(pk=self.instance.pk).values_list(
            "weekday", "start", "end", "slot_minutes"
        )
        try:
            doctor_schedule_check(
                doctor=doctor, sessions=[*(SessionSpec(*row) for row in others), spec]
            )
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        return data


class WeeklyScheduleInline(admin.TabularInline):
    model = WeeklySchedule
    formset = WeeklyScheduleInlineFormSet
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Location)
class LocationAdmin(TimestampedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "address", "phone", "time_zone"]
    search_fields = ["name", "address"]

    def has_delete_permission(self, request, obj=None):
        # A site with sessions is protected by the database; one without may go.
        return super().has_delete_permission(request, obj) and (
            obj is None or not obj.sessions.exists()
        )


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
    form = WeeklyScheduleForm
    list_display = ["doctor", "weekday", "start", "end", "slot_minutes", "location"]
    list_filter = ["weekday", "location", "doctor__specialty", "doctor"]
    search_fields = ["doctor__name", "doctor__specialty"]
    list_select_related = ["doctor", "location"]
    autocomplete_fields = ["doctor"]

    def get_actions(self, request):
        # Deleting goes one session at a time, through the check in delete_view.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        session = self.get_object(request, object_id)
        if session is not None and request.method == "POST":
            try:
                _refuse_if_stranding(session)
            except InvalidInput as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect("admin:doctors_weeklyschedule_change", session.pk)
        return super().delete_view(request, object_id, extra_context)


def _refuse_if_stranding(session: WeeklySchedule) -> None:
    others = session.doctor.schedules.exclude(pk=session.pk).values_list(
        "weekday", "start", "end", "slot_minutes"
    )
    doctor_schedule_check(doctor=session.doctor, sessions=[SessionSpec(*r) for r in others])


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["doctor", "start_date", "end_date", "reason"]
    list_filter = ["doctor__specialty", "doctor", "start_date"]
    search_fields = ["doctor__name", "reason"]
    date_hierarchy = "start_date"
    list_select_related = ["doctor"]
    autocomplete_fields = ["doctor"]
