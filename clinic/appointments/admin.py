"""The front desk's view of appointments.

Every state change goes through clinic.appointments.services, as in the API:
adding books through appointment_book, and the status moves only by the actions,
each a step of appointment_change_status.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from clinic.appointments.models import (
    Appointment,
    AppointmentMove,
    AppointmentStatusChange,
    CalendarFeed,
    Status,
    VisitType,
)
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel_by_clinic,
    appointment_change_status,
    appointment_reschedule,
    visit_type_set_default,
)
from clinic.core.admin import (
    AuditedAdminMixin,
    ReadOnlyAdminMixin,
    ServiceErrorsAsFormErrorsMixin,
    ServiceRefused,
    TimestampedAdminMixin,
)
from clinic.core.audit import audit_log
from clinic.core.errors import ApplicationError
from clinic.doctors.models import Doctor
from clinic.patients.admin import patient_search_fields


@admin.register(VisitType)
class VisitTypeAdmin(AuditedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "minutes", "is_default", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    # The default moves only by the action (visit_type_set_default), one at a time.
    readonly_fields = ["is_default"]
    actions = ["make_default"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.is_default:
            form.base_fields["is_active"].disabled = True
            form.base_fields["is_active"].help_text = "The default visit type stays active."
        return form

    @admin.action(description="Make the default visit type", permissions=["change"])
    def make_default(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one visit type.", messages.ERROR)
            return
        try:
            visit_type_set_default(visit_type=chosen[0], actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"{chosen[0].name} is now the default.", messages.SUCCESS)


@admin.register(AppointmentStatusChange)
class AppointmentStatusChangeAdmin(admin.ModelAdmin):
    """Read only: the steps are written by appointment_change_status alone."""

    list_display = ["changed_at", "appointment", "from_status", "to_status", "changed_by"]
    list_filter = ["to_status", "changed_at"]
    search_fields = ["=appointment__id"]
    date_hierarchy = "changed_at"
    list_select_related = ["appointment", "changed_by"]


class MoveForm(forms.Form):
    doctor = forms.ModelChoiceField(queryset=Doctor.objects.filter(is_active=True))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label="slot",
        widget=forms.TimeInput(attrs={"placeholder": "09:30"}),
        help_text="One of the doctor's free slots that day, e.g. 09:30.",
    )


@admin.register(Appointment)
class AppointmentAdmin(ServiceErrorsAsFormErrorsMixin, TimestampedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "id",
        "date",
        "slot",
        "end",
        "slot_number",
        "patient_name",
        "doctor",
        "visit_type",
        "status",
        "cancelled_by",
        "reason",
    ]
    list_display_links = ["id", "date"]
    list_filter = ["status", "visit_type", "doctor__specialty", "doctor", "date", "cancelled_by"]
    search_fields = [*patient_search_fields("patient"), "doctor__name", "reason", "=id"]
    date_hierarchy = "date"
    ordering = ["-date", "-start"]
    list_select_related = ["patient__user", "doctor", "visit_type"]
    autocomplete_fields = ["patient", "doctor"]
    actions = [
        "move",
        "cancel_by_clinic",
        "mark_arrived",
        "mark_in_consultation",
        "mark_completed",
        "mark_no_show",
        "mark_entered_in_error",
    ]
    # The booking service names fields as the API does.
    service_field_names = {"slot": "start", "doc_id": "doctor", "doctor_id": "doctor"}
    add_fields = ["patient", "doctor", "visit_type", "date", "start", "reason"]
    # Once booked, only the reason is edited here; the rest moves through the actions.
    change_readonly_fields = [
        "patient",
        "doctor",
        "visit_type",
        "date",
        "start",
        "end",
        "slot_number",
        "status",
        "arrived_at",
        "consultation_started_at",
        "completed_at",
        "cancelled_at",
        "cancelled_by",
        "cancelled_by_user",
        "reminder_sent_at",
        "status_changes",
    ]

    # --- List ---------------------------------------------------------------
    @admin.display(description="slot", ordering="start")
    def slot(self, obj):
        return obj.slot_label

    @admin.display(description="patient", ordering="patient__given_name")
    def patient_name(self, obj):
        return str(obj.patient)

    def has_delete_permission(self, request, obj=None):
        # An appointment is history (and may carry a consultation): cancel it instead.
        return False

    # --- Forms --------------------------------------------------------------
    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return [*self.change_readonly_fields, "move_link", "reason", *self.timestamp_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.change_readonly_fields, "move_link", *self.timestamp_fields]

    @admin.display(description="move")
    def move_link(self, obj):
        if obj is None or not obj.is_upcoming:
            return "Only an upcoming booked appointment can be moved."
        url = reverse("admin:appointments_appointment_move", args=[obj.pk])
        return format_html('<a href="{}">Move to another slot…</a>', url)

    # --- Move (the same service as the API's reschedule/) ------------------------
    def get_urls(self):
        move = self.admin_site.admin_view(self.move_view)
        return [
            path("<int:pk>/move/", move, name="appointments_appointment_move"),
            *super().get_urls(),
        ]

    def move_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        appointment = get_object_or_404(
            Appointment.objects.select_related("patient__user", "doctor"), pk=pk
        )
        form = MoveForm(request.POST or None, initial={"doctor": appointment.doctor_id})
        if request.method == "POST" and form.is_valid():
            try:
                appointment_reschedule(
                    patient=appointment.patient,
                    appointment_id=appointment.pk,
                    doctor=form.cleaned_data["doctor"],
                    day=form.cleaned_data["date"],
                    start=form.cleaned_data["start"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"Appointment #{pk} moved.", messages.SUCCESS)
                return redirect("admin:appointments_appointment_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Move appointment #{pk}",
            "appointment": appointment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/appointments/appointment/move.html", context)

    @admin.display(description="status changes")
    def status_changes(self, obj):
        steps = AppointmentStatusChange.objects.filter(appointment=obj).select_related("changed_by")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}: {} → {} by {}",
                (
                    (
                        localtime(s.changed_at).strftime("%Y-%m-%d %H:%M"),
                        Status(s.from_status).label,
                        Status(s.to_status).label,
                        s.changed_by or "—",
                    )
                    for s in steps
                ),
            )
            or "—"
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            visit_types = form.base_fields["visit_type"]
            visit_types.queryset = VisitType.objects.filter(is_active=True)
            visit_types.required = False
            visit_types.empty_label = "The default visit type"
            visit_types.help_text = "How long the doctor's time is held."
            form.base_fields["start"].widget = forms.TimeInput(attrs={"placeholder": "09:30"})
            form.base_fields["start"].help_text = "One of the doctor's free slots, e.g. 09:30."
        return form

    def save_model(self, request, obj, form, change):
        if change:
            # Only the reason: a full save could undo a cancellation made meanwhile.
            obj.save(update_fields=["reason", "updated_at"])
            audit_log(
                actor=request.user,
                action="appointment.admin_updated",
                obj=obj,
                fields=sorted(form.changed_data),
            )
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
                visit_type=data.get("visit_type"),
            )
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc
        # The admin logs and redirects with the instance it holds.
        obj.pk = booked.pk
        obj.slot_number = booked.slot_number
        obj.status = booked.status
        obj.end = booked.end
        obj._state.adding = False

    # --- Actions ------------------------------------------------------------
    @admin.action(description="Move to another slot…", permissions=["change"])
    def move(self, request, queryset):
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one appointment to move.", messages.ERROR)
            return None
        return redirect("admin:appointments_appointment_move", chosen[0])

    @admin.action(description="Cancel (by the clinic)", permissions=["change"])
    def cancel_by_clinic(self, request, queryset):
        chosen = list(queryset)
        try:
            cancelled = appointment_cancel_by_clinic(appointments=chosen, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self._report(
            request,
            done=len(cancelled),
            skipped=len(chosen) - len(cancelled),
            verb="cancelled",
            why="no longer booked",
        )

    @admin.action(description="Mark arrived", permissions=["change"])
    def mark_arrived(self, request, queryset):
        self._change_status(request, queryset, Status.ARRIVED)

    @admin.action(description="Mark in consultation", permissions=["change"])
    def mark_in_consultation(self, request, queryset):
        self._change_status(request, queryset, Status.IN_CONSULTATION)

    @admin.action(description="Mark completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._change_status(request, queryset, Status.COMPLETED)

    @admin.action(description="Mark no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._change_status(request, queryset, Status.NO_SHOW)

    @admin.action(description="Mark entered in error", permissions=["change"])
    def mark_entered_in_error(self, request, queryset):
        self._change_status(request, queryset, Status.ENTERED_IN_ERROR)

    def _change_status(self, request, queryset, status):
        """Each chosen appointment on its own: one refusal does not stop the others."""
        done, refusals = 0, []
        for appointment in queryset:
            try:
                appointment_change_status(
                    appointment=appointment, status=status, actor=request.user
                )
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


@admin.register(AppointmentMove)
class AppointmentMoveAdmin(ReadOnlyAdminMixin, TimestampedAdminMixin, admin.ModelAdmin):
    """Every reschedule, read-only: the moves are made by the "Move" form and the API."""

    autocomplete_fields = ["from_doctor", "to_doctor"]
    list_display = ["appointment", "from_date", "from_start", "to_date", "to_start", "moved_by"]
    list_filter = ["to_doctor", "to_date"]
    search_fields = ["=appointment__id", *patient_search_fields("appointment__patient")]
    list_select_related = ["appointment", "moved_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(TimestampedAdminMixin, admin.ModelAdmin):
    """Who has a calendar feed; the token (a credential) is never shown. Delete to revoke."""

    list_display = ["patient", "created_at", "updated_at"]
    search_fields = patient_search_fields("patient")
    list_select_related = ["patient__user"]
    autocomplete_fields = ["patient"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
