"""Lab reports: ordered, resulted when the lab's file is attached, released by a doctor.

Every step goes through clinic.labs.services: adding a report orders it, an
upload is checked, cleaned and stored by lab_report_attach (resulted), "release"
calls lab_report_release (the signed-in account must be a doctor's) and "entered
in error" calls lab_report_mark_entered_in_error. The status is never edited by
hand, and nothing is deleted: clinical records are kept, with their history.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import (
    AuditedAdminMixin,
    ServiceErrorsAsFormErrorsMixin,
    ServiceRefused,
    TimestampedAdminMixin,
)
from clinic.core.audit import audit_log
from clinic.core.downloads import file_url
from clinic.core.errors import ApplicationError
from clinic.core.uploads import DocumentFormField
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.services import (
    lab_report_attach,
    lab_report_mark_entered_in_error,
    lab_report_order,
    lab_report_release,
)
from clinic.patients.admin import patient_search_fields

_DETAILS = ["patient", "doctor", "test", "date"]
_RECORD = [
    "status",
    "current_file",
    "resulted_at",
    "released_at",
    "released_by",
    "entered_in_error_at",
    "entered_in_error_by",
    "error_reason",
]


class LabReportAdminForm(forms.ModelForm):
    upload = DocumentFormField(
        label="Result file",
        required=False,
        help_text="An image or PDF from the lab. Uploading it marks the report resulted; "
        "the patient sees it only once a doctor releases it.",
    )
    release = forms.BooleanField(
        label="Release to the patient",
        required=False,
        help_text="You have reviewed the result: the patient may see it and is told it is "
        "ready. Only a doctor's account can release.",
    )
    entered_in_error = forms.BooleanField(
        label="Mark entered in error",
        required=False,
        help_text="The report should never have existed. It is kept, but the patient no "
        "longer sees it.",
    )
    reason = forms.CharField(label="Why it is in error", required=False, max_length=200, strip=True)

    class Meta:
        model = LabReport
        fields = _DETAILS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entered_in_error") and not cleaned.get("reason"):
            self.add_error("reason", "Say why the report is in error.")
        if cleaned.get("entered_in_error") and (cleaned.get("release") or cleaned.get("upload")):
            self.add_error(
                "entered_in_error", "Mark a report in error on its own, without a file or release."
            )
        return cleaned


@admin.register(LabReport)
class LabReportAdmin(
    ServiceErrorsAsFormErrorsMixin, AuditedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin
):
    form = LabReportAdminForm
    audit_prefix = "lab_report"
    service_field_names = {"file": "upload"}
    list_display = ["test", "date", "patient_name", "doctor", "status", "has_file", "released_by"]
    list_filter = ["status", "doctor__specialty", "doctor", "date"]
    search_fields = [*patient_search_fields("patient"), "test", "doctor__name"]
    date_hierarchy = "date"
    list_select_related = ["patient__user", "doctor", "released_by"]
    autocomplete_fields = ["patient", "doctor", "released_by"]
    actions = ["release_selected"]

    @admin.display(description="patient", ordering="patient__given_name")
    def patient_name(self, obj):
        return str(obj.patient)

    @admin.display(description="file", boolean=True)
    def has_file(self, obj):
        return bool(obj.file)

    @admin.display(description="current file")
    def current_file(self, obj):
        url = getattr(obj, "_admin_file_url", None)
        if not url:
            return "—"
        return format_html('<a href="{}">{}</a>', url, obj.original_name or "download")

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*_DETAILS, "upload", "release"]
        if obj.status == LabStatus.ENTERED_IN_ERROR:
            return [*_DETAILS, *_RECORD]
        steps = {
            LabStatus.ORDERED: ["upload", "release"],
            LabStatus.RESULTED: ["upload", "release"],
            LabStatus.RELEASED: [],
        }[obj.status]
        return [*_DETAILS, *_RECORD, *steps, "entered_in_error", "reason"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *_RECORD]
        # Whose report it is, and what it is of, is fixed once a result is in.
        if obj is not None and obj.status != LabStatus.ORDERED:
            readonly += _DETAILS
        return readonly

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.file:
            # A short-lived signed link for this admin (the file is private).
            obj._admin_file_url = file_url(obj.file, user=request.user, filename=obj.original_name)
        return obj

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            details = [name for name in _DETAILS if name in form.changed_data]
            if change and details:
                # Only the edited details: the state is the services' alone.
                obj.save(update_fields=[*details, "updated_at"])
                audit_log(
                    actor=request.user, action="lab_report.admin_updated", obj=obj, fields=details
                )
            elif not change:
                created = lab_report_order(
                    patient=obj.patient,
                    doctor=obj.doctor,
                    test=obj.test,
                    date=obj.date,
                    actor=request.user,
                )
                obj.pk, obj.created_at, obj.updated_at = (
                    created.pk,
                    created.created_at,
                    created.updated_at,
                )
                obj._state.adding = False
            if data.get("upload"):
                lab_report_attach(report=obj, upload=data["upload"], actor=request.user)
            if data.get("release"):
                lab_report_release(report=obj, actor=request.user)
            if data.get("entered_in_error"):
                lab_report_mark_entered_in_error(
                    report=obj, reason=data["reason"], actor=request.user
                )
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc

    @admin.action(description="Release the selected reports to their patients")
    def release_selected(self, request, queryset):
        released, refused = 0, []
        for report in queryset:
            try:
                lab_report_release(report=report, actor=request.user)
                released += 1
            except ApplicationError as exc:
                refused.append(f"{report}: {exc.message}")
        if released:
            self.message_user(request, f"Released {released} report(s).", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    # Clinical records are never deleted: they are marked entered in error instead.
    def has_delete_permission(self, request, obj=None):
        return False
