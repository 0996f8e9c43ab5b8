"""The desk's forms: they parse and label input; the rules stay in the services."""

import datetime as dt
import re

from django import forms

from clinic.core import clock
from clinic.doctors.models import Doctor
from clinic.patients.models import Gender
from clinic.portal.forms import BootstrapMixin, DateInput

# A free slot as the pickers post it: "<doctor id>/<HH:MM>".
_SLOT = re.compile(r"^(\d{1,9})/([0-2]\d:[0-5]\d)$")


def slot_value(doctor_id: int, at: dt.time) -> str:
    return f"{doctor_id}/{at:%H:%M}"


def parse_slot(value: str) -> tuple[int, dt.time] | None:
    match = _SLOT.match(value or "")
    if not match:
        return None
    try:
        return int(match.group(1)), dt.datetime.strptime(match.group(2), "%H:%M").time()
    except ValueError:
        return None


class SlotField(forms.CharField):
    """A picked free slot: (doctor id, start)."""

    default_error_messages = {"invalid": "Pick one of the free slots."}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        parsed = parse_slot(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class DoctorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.specialty}"


class FreeSlotsForm(BootstrapMixin, forms.Form):
    """Which free slots to show: one doctor's, or the first free with anyone, on a date."""

    doctor = DoctorChoiceField(
        queryset=Doctor.objects.filter(is_active=True).order_by("name", "pk"),
        required=False,
        empty_label="Any doctor (first free)",
    )
    date = forms.DateField(widget=DateInput)

    def __init__(self, data=None, *, initial_doctor=None, initial_date=None):
        data = data.copy() if data is not None else None
        if data is not None:
            data.setdefault("date", (initial_date or clock.today()).isoformat())
            if initial_doctor is not None:
                data.setdefault("doctor", str(initial_doctor.pk))
        super().__init__(data)


class BookForm(BootstrapMixin, forms.Form):
    """The slot picked from the free slots shown, with the visit's reason."""

    date = forms.DateField(widget=forms.HiddenInput)
    slot = SlotField(label="Free slot", widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason for visit", max_length=200, required=False)


class WalkInForm(BootstrapMixin, forms.Form):
    """A new patient (no portal login) and, optionally, a free slot today: one form."""

    given_name = forms.CharField(label="First name", max_length=150)
    family_name = forms.CharField(label="Last name", max_length=150, required=False)
    gender = forms.ChoiceField(label="Sex", choices=[("", "Choose…"), *Gender.choices])
    dob = forms.DateField(label="Date of birth", widget=DateInput)
    phone = forms.CharField(
        label="Mobile number", max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label="Email", required=False)
    address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    slot = SlotField(label="See a doctor today", required=False, widget=forms.Select)
    reason = forms.CharField(label="Reason for visit", max_length=200, required=False)
    arrived = forms.BooleanField(label="The patient is here now (check in)", required=False)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_slots(slots)

    def set_slots(self, slots) -> None:
        # One choice per free slot today: "10:30 AM · Dr. Asha Rao".
        self.fields["slot"].widget.choices = [("", "Register only, no appointment")] + [
            (slot_value(doctor.pk, at), f"{clock.slot_label(at)} · {doctor.name}")
            for doctor, times in slots
            for at in times
        ]


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling", max_length=200,
        help_text="Kept with the appointment's history.",
    )
