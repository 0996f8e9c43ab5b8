"""Consultations and prescription lines, written through clinic.records.services.

Adding a consultation starts it from a visit (consultation_start): patient,
doctor and date come from the appointment. Edits go through
consultation_update and the prescription_line_* services, and "mark entered in
error" through the *_mark_entered_in_error services. Nothing is deleted; a
record entered in error stays readable here, with its history, and read-only.
"""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import (
    ServiceErrorsAsFormErrorsMixin,
    ServiceRefused,
    TimestampedAdminMixin,
)
from clinic.core.errors import ApplicationError
from clinic.core.uploads import CleanedFile
from clinic.patients.admin import patient_search_fields
from clinic.records.icd10 import icd10_normalise
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.services import (
    consultation_mark_entered_in_error,
    consultation_start,
    consultation_update,
    prescription_line_add,
    prescription_line_mark_entered_in_error,
    prescription_line_update,
)

_VISIT = ["patient", "doctor", "appointment", "date"]
_CONTENT = ["purpose", "diagnosis", "icd10", "notes", "scan"]
_LINE = ["position", "medicine", "dose", "frequency", "duration", "instructions"]
_ERROR = ["entered_in_error_at", "entered_in_error_by", "error_reason"]


class EnteredInErrorForm(forms.ModelForm):
    entered_in_error = forms.BooleanField(
        label="Mark entered in error",
        required=False,
        help_text="The record should never have existed. It is kept, with its history, "
        "but the patient no longer sees it.",
    )
    reason = forms.CharField(label="Why it is in error", required=False, max_length=200, strip=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entered_in_error"):
            if not cleaned.get("reason"):
                self.add_error("reason", "Say why the record is in error.")
            edited = set(self.changed_data) - {"entered_in_error", "reason"}
            if edited:
                self.add_error(
                    "entered_in_error", "Mark a record in error on its own, without other changes."
                )
        return cleaned


class ConsultationAdminForm(EnteredInErrorForm):
    class Meta:
        model = Consultation
        fields = ["appointment", *_CONTENT]
        # A scan is part of the record: it can be replaced, not cleared.
        widgets = {"scan": forms.FileInput}

    def clean_icd10(self):
        # "j069" is J06.9: the model's validator then sees the stored form.
        return icd10_normalise(self.cleaned_data.get("icd10"))


class PrescriptionLineAdminForm(EnteredInErrorForm):
    class Meta:
        model = PrescriptionLine
        fields = _LINE


class PrescriptionLineInline(admin.TabularInline):
    model = PrescriptionLine
    extra = 1
    can_delete = False  # clinical records are never deleted
    fields = _LINE
    show_change_link = True  # where a line is marked entered in error

    def get_queryset(self, request):
        # Lines entered in error are read on their own page, not edited here.
        return super().get_queryset(request).live()

    def has_add_permission(self, request, obj=None):
        return _is_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_open(obj) and super().has_change_permission(request, obj)


def _is_open(consultation) -> bool:
    return consultation is None or not consultation.is_entered_in_error


class _RecordAdmin(ServiceErrorsAsFormErrorsMixin, SimpleHistoryAdmin):
    # Clinical records are never deleted (no delete page, no delete action).
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="in error", boolean=True)
    def in_error(self, obj):
        return obj.is_entered_in_error


@admin.register(Consultation)
class ConsultationAdmin(TimestampedAdminMixin, _RecordAdmin):
    form = ConsultationAdminForm
    list_display = ["date", "patient_name", "doctor", "purpose", "icd10", "has_scan", "in_error"]
    list_filter = [
        ("entered_in_error_at", admin.EmptyFieldListFilter),
        "doctor__specialty",
        "doctor",
        "date",
    ]
    search_fields = [
        *patient_search_fields("patient"),
        "purpose",
        "diagnosis",
        "icd10",
        "doctor__name",
    ]
    date_hierarchy = "date"
    list_select_related = ["patient__user", "doctor"]
    # Patient and doctor come from the appointment and are read-only; never a full list.
    autocomplete_fields = ["patient", "doctor", "appointment"]
    inlines = [PrescriptionLineInline]

    @admin.display(description="patient", ordering="patient__given_name")
    def patient_name(self, obj):
        return str(obj.patient)

    @admin.display(description="scan", boolean=True)
    def has_scan(self, obj):
        return bool(obj.scan)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["appointment", *_CONTENT]
        if obj.is_entered_in_error:
            return [*_VISIT, *_CONTENT, *_ERROR]
        return [*_VISIT, *_CONTENT, *_ERROR, "entered_in_error", "reason"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        readonly += [*_VISIT, *_ERROR]
        if obj.is_entered_in_error:
            readonly += _CONTENT
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            # New consultations are started from a visit, as in the doctor's room.
            form.base_fields["appointment"].required = True
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data.get("entered_in_error"):
                consultation_mark_entered_in_error(
                    consultation=obj, actor=request.user, reason=data["reason"]
                )
                return
            target = obj
            if not change:
                target = consultation_start(appointment=data["appointment"], actor=request.user)
            edits = {
                name: data[name]
                for name in ("purpose", "diagnosis", "icd10", "notes")
                if name in data and (not change or name in form.changed_data)
            }
            if isinstance(data.get("scan"), CleanedFile):
                edits["scan"] = data["scan"]
            if edits:
                consultation_update(consultation=target, actor=request.user, **edits)
            if not change:
                _adopt(obj, target)
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc

    def save_formset(self, request, form, formset, change):
        if formset.model is not PrescriptionLine:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        try:
            for line in formset.new_objects:
                prescription_line_add(
                    consultation=form.instance,
                    actor=request.user,
                    **{name: getattr(line, name) for name in _LINE},
                )
            for line, fields in formset.changed_objects:
                prescription_line_update(
                    line=line,
                    actor=request.user,
                    **{name: getattr(line, name) for name in fields if name in _LINE},
                )
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc


@admin.register(PrescriptionLine)
class PrescriptionLineAdmin(_RecordAdmin):
    form = PrescriptionLineAdminForm
    list_display = [
        "medicine",
        "dose",
        "frequency",
        "duration",
        "consultation",
        "patient_name",
        "in_error",
    ]
    search_fields = ["medicine", *patient_search_fields("consultation__patient")]
    list_filter = [("entered_in_error_at", admin.EmptyFieldListFilter), "consultation__doctor"]
    list_select_related = ["consultation__patient__user"]

    # Lines are added on their consultation's page.
    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        if obj is not None and (obj.is_entered_in_error or not _line_open(obj)):
            return ["consultation", *_LINE, *_ERROR]
        return ["consultation", *_LINE, *_ERROR, "entered_in_error", "reason"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["consultation", *_ERROR]
        if obj is not None and (obj.is_entered_in_error or not _line_open(obj)):
            readonly += _LINE
        return readonly

    @admin.display(description="patient")
    def patient_name(self, obj):
        return str(obj.consultation.patient)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data.get("entered_in_error"):
                prescription_line_mark_entered_in_error(
                    line=obj, actor=request.user, reason=data["reason"]
                )
            elif edits := {name: data[name] for name in form.changed_data if name in _LINE}:
                prescription_line_update(line=obj, actor=request.user, **edits)
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc


def _line_open(line: PrescriptionLine) -> bool:
    return not line.consultation.is_entered_in_error


def _adopt(obj: Consultation, saved: Consultation) -> None:
    """Make the admin's unsaved instance the stored row, so its inlines attach to it."""
    for field in Consultation._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
