"""The doctor's room forms: they parse and label input; clinic.records and clinic.labs
services hold the rules (lengths, ICD-10 shape, states). Each form has a prefix, as a
visit page shows several at once."""

from django import forms

from clinic.labs.models import LabReport
from clinic.portal.forms import BootstrapMixin
from clinic.records.models import Consultation, PrescriptionLine


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class ConsultationForm(BootstrapMixin, forms.Form):
    prefix = "consultation"
    notes = forms.CharField(
        required=False,
        max_length=_max(Consultation, "notes"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    diagnosis = forms.CharField(
        required=False,
        max_length=_max(Consultation, "diagnosis"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    icd10 = forms.CharField(
        label="ICD-10 code",
        required=False,
        max_length=12,
        help_text="Optional, e.g. J06.9.",
    )


class PrescriptionLineForm(BootstrapMixin, forms.Form):
    prefix = "line"
    medicine = forms.CharField(max_length=_max(PrescriptionLine, "medicine"))
    dose = forms.CharField(max_length=_max(PrescriptionLine, "dose"), help_text="e.g. 500 mg")
    frequency = forms.CharField(
        max_length=_max(PrescriptionLine, "frequency"), help_text="e.g. twice a day"
    )
    duration = forms.CharField(
        max_length=_max(PrescriptionLine, "duration"), help_text="e.g. 5 days"
    )
    instructions = forms.CharField(
        required=False,
        max_length=_max(PrescriptionLine, "instructions"),
        help_text="e.g. after food",
    )


class LabOrderForm(BootstrapMixin, forms.Form):
    prefix = "lab"
    test = forms.CharField(
        label="Lab test", max_length=_max(LabReport, "test"), help_text="e.g. CBC, lipid profile"
    )


class EnteredInErrorForm(BootstrapMixin, forms.Form):
    prefix = "error"
    reason = forms.CharField(label="Why it is in error", max_length=200)


def visit_forms(consultation, given: dict) -> dict:
    """The visit page's forms: those given (bound, with their errors) or fresh ones."""
    initial = {}
    if consultation is not None:
        initial = {
            "notes": consultation.notes,
            "diagnosis": consultation.diagnosis,
            "icd10": consultation.icd10,
        }
    return {
        "consultation_form": given.get("consultation") or ConsultationForm(initial=initial),
        "line_form": given.get("line") or PrescriptionLineForm(),
        "lab_form": given.get("lab") or LabOrderForm(),
        "error_form": given.get("error") or EnteredInErrorForm(),
    }
