from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import AuditedAdminMixin, TimestampedAdminMixin
from clinic.core.audit import audit_log
from clinic.patients.admin import patient_search_fields
from clinic.records.models import Consultation, PrescriptionLine


class PrescriptionLineInline(admin.TabularInline):
    model = PrescriptionLine
    extra = 1
    can_delete = False  # clinical records are never deleted
    fields = ["position", "medicine", "dose", "frequency", "duration", "instructions"]


@admin.register(Consultation)
class ConsultationAdmin(AuditedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "patient_name", "doctor", "purpose", "has_scan"]
    list_filter = ["doctor__specialty", "doctor", "date"]
    search_fields = [*patient_search_fields("patient"), "purpose", "diagnosis", "doctor__name"]
    date_hierarchy = "date"
    list_select_related = ["patient__user", "doctor"]
    autocomplete_fields = ["patient", "doctor", "appointment"]
    inlines = [PrescriptionLineInline]

    # Clinical records are never deleted (no delete page, no delete action).
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="patient", ordering="patient__given_name")
    def patient_name(self, obj):
        return str(obj.patient)

    @admin.display(description="scan", boolean=True)
    def has_scan(self, obj):
        return bool(obj.scan)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            # The prescription is part of the medical record: say who edited it.
            audit_log(
                actor=request.user,
                action="consultation.admin_prescription_changed",
                obj=form.instance,
                lines=len(formset.new_objects) + len(formset.changed_objects),
                removed=len(formset.deleted_objects),
            )


@admin.register(PrescriptionLine)
class PrescriptionLineAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ["medicine", "dose", "frequency", "duration", "consultation", "patient_name"]
    search_fields = ["medicine", *patient_search_fields("consultation__patient")]
    list_filter = ["consultation__doctor"]
    list_select_related = ["consultation__patient__user"]
    autocomplete_fields = ["consultation"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="patient")
    def patient_name(self, obj):
        return str(obj.consultation.patient)
