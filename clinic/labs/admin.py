"""Lab reports: ordered first, generated once their file is attached.

The file is never stored by the admin itself: an upload goes through
clinic.labs.services.lab_report_attach, which checks and cleans it, stores it
under a random key and marks the report generated. So a generated report
always has a file, and the status is not edited by hand.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import (
    AuditedAdminMixin,
    ServiceErrorsAsFormErrorsMixin,
    ServiceRefused,
    TimestampedAdminMixin,
)
from clinic.core.downloads import file_url
from clinic.core.errors import ApplicationError
from clinic.labs.models import LabReport
from clinic.labs.services import lab_report_attach, lab_report_delete
from clinic.patients.admin import patient_search_fields


class LabReportAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label="Report file",
        required=False,
        help_text="An image or PDF. Uploading it marks the report generated.",
    )

    class Meta:
        model = LabReport
        fields = ["patient", "doctor", "test", "date"]


@admin.register(LabReport)
class LabReportAdmin(
    ServiceErrorsAsFormErrorsMixin, AuditedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin
):
    form = LabReportAdminForm
    audit_prefix = "lab_report"
    service_field_names = {"file": "upload"}
    list_display = ["test", "date", "patient_name", "doctor", "status", "has_file"]
    list_filter = ["status", "doctor__specialty", "doctor", "date"]
    search_fields = [*patient_search_fields("patient"), "test", "doctor__name"]
    date_hierarchy = "date"
    list_select_related = ["patient__user", "doctor"]
    autocomplete_fields = ["patient", "doctor"]
    readonly_fields = ["status", "current_file"]
    fields = ["patient", "doctor", "test", "date", "status", "current_file", "upload"]

    @admin.display(description="patient", ordering="patient__user__first_name")
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

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.file:
            # A short-lived signed link for this admin (the file is private).
            obj._admin_file_url = file_url(obj.file, user=request.user, filename=obj.original_name)
        return obj

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("upload")
        if upload:
            try:
                lab_report_attach(report=obj, upload=upload, actor=request.user)
            except ApplicationError as exc:
                raise ServiceRefused(exc) from exc

    def delete_model(self, request, obj):
        # The service removes the stored file too, after commit.
        lab_report_delete(report=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for report in queryset:
            lab_report_delete(report=report, actor=request.user)
