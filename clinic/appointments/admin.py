"""The front desk's view of appointments.

Every state change goes through clinic.appointments.services, as in the API:
adding books through appointment_book, and the status moves only by the actions.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import ngettext

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel_by_clinic,
    appointment_set_outcome,
)
from clinic.core.admin import (
    ServiceErrorsAsFormErrorsMixin,
    ServiceRefused,
    TimestampedAdminMixin,
)
from clinic.core.audit import audit_log
from clinic.core.errors import ApplicationError
from clinic.patients.admin import patient_search_fields


@admin.register(Appointment)
class AppointmentAdmin(ServiceErrorsAsFormErrorsMixin, TimestampedAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "date",
        "slot",
        "slot_number",
        "patient_name",
        "doctor",
        "status",
        "cancelled_by",
        "reason",
    ]
    list_display_links = ["id", "date"]
    list_filter = ["status", "doctor__specialty", "doctor", "date", "cancelled_by"]
    search_fields = [*patient_search_fields("patient"), "doctor__name", "reason", "=id"]
    date_hierarchy = "date"
    ordering = ["-date", "-start"]
    list_select_related = ["patient__user", "doctor"]
    autocomplete_fields = ["patient", "doctor"]
    actions = ["cancel_by_clinic", "mark_completed", "mark_no_show"]
    # The booking service names fields as the API does.
    service_field_names = {"slot": "start", "doc_id": "doctor", "doctor_id": "doctor"}
    add_fields = ["patient", "doctor", "date", "start", "reason"]
    # Once booked, only the reason is edited here; the rest moves through the actions.
    change_readonly_fields = [
        "patient",
        "doctor",
        "date",
        "start",
        "slot_number",
        "status",
        "cancelled_at",
        "cancelled_by",
        "cancelled_by_user",
        "reminder_sent_at",
    ]

    # --- List ---------------------------------------------------------------
    @admin.display(description="slot", ordering="start")
    def slot(self, obj):
        return obj.slot_label

    @admin.display(description="patient", ordering="patient__user__first_name")
    def patient_name(self, obj):
        return str(obj.patient)

    def has_delete_permission(self, request, obj=None):
        # An appointment is history (and may carry a consultation): cancel it instead.
        return False

    # --- Forms --------------------------------------------------------------
    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return [*self.change_readonly_fields, "reason", *self.timestamp_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.change_readonly_fields, *self.timestamp_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["start"].widget = forms.TimeInput(attrs={"placeholder": "09:30"})
            form.base_fields["start"].help_text = "One of the doctor's free slots, e.g. 09:30."
        return form

    def save_model(self, request, obj, form, change):
        if change:
            # Only the reason: a full save could undo a cancellation made meanwhile.
            obj.save(update_fields=["reason", "updated_at"])
            audit_log(actor=request.user, action="appointment.admin_updated", obj=obj,
                      fields=sorted(form.changed_data))
            return
        data = form.cleaned_data
        try:
            booked = appointment_book(
                patient=data["patient"],
                doctor=data["doctor"],
                day=data["date"],
                start=data["start"],
                reason=data.get("reason", ""),
                actor=request.user,
            )
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc
        # The admin logs and redirects with the instance it holds.
        obj.pk = booked.pk
        obj.slot_number = booked.slot_number
        obj.status = booked.status
        obj._state.adding = False

    # --- Actions ------------------------------------------------------------
    @admin.action(description="Cancel (by the clinic)", permissions=["change"])
    def cancel_by_clinic(self, request, queryset):
        chosen = list(queryset)
        try:
            cancelled = appointment_cancel_by_clinic(appointments=chosen, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self._report(request, done=len(cancelled), skipped=len(chosen) - len(cancelled),
                     verb="cancelled", why="not booked")

    @admin.action(description="Mark completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._set_outcome(request, queryset, Status.COMPLETED)

    @admin.action(description="Mark no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._set_outcome(request, queryset, Status.NO_SHOW)

    def _set_outcome(self, request, queryset, status):
        done, refusals = 0, []
        for appointment in queryset:
            try:
                appointment_set_outcome(appointment=appointment, status=status, actor=request.user)
            except ApplicationError as exc:
                refusals.append(f"#{appointment.pk}: {exc.message}")
            else:
                done += 1
        label = Status(status).label.lower()
        if done:
            self.message_user(
                request,
                ngettext("%d appointment marked %s.", "%d appointments marked %s.", done)
                % (done, label),
                messages.SUCCESS,
            )
        if refusals:
            self.message_user(request, "Not changed: " + " ".join(refusals), messages.WARNING)

    def _report(self, request, *, done, skipped, verb, why):
        if done:
            self.message_user(
                request,
                ngettext("%d appointment %s.", "%d appointments %s.", done) % (done, verb),
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext("%d appointment skipped (%s).", "%d appointments skipped (%s).", skipped)
                % (skipped, why),
                messages.WARNING,
            )
        if not done and not skipped:
            self.message_user(request, "Nothing to do.", messages.INFO)
