"""Forms of the manager's pages: they parse and label input; the rules stay in the services."""

import datetime as dt

from django import forms

from clinic.core import clock
from clinic.doctors.models import Doctor, Location
from clinic.portal.forms import BootstrapMixin, DateInput

REPORT_DEFAULT_DAYS = 28


class ReportFilterForm(BootstrapMixin, forms.Form):
    first = forms.DateField(label="From", widget=DateInput())
    last = forms.DateField(label="To", widget=DateInput())
    location = forms.ModelChoiceField(
        label="Site", required=False, empty_label="All sites", queryset=Location.objects.none()
    )
    doctor = forms.ModelChoiceField(
        label="Doctor", required=False, empty_label="All doctors", queryset=Doctor.objects.none()
    )

    def __init__(self, data=None, **kwargs):
        if not data or not any(data.get(name) for name in ("first", "last")):
            # No range asked for: the last four weeks, today included.
            today = clock.today()
            data = {
                "first": (today - dt.timedelta(days=REPORT_DEFAULT_DAYS - 1)).isoformat(),
                "last": today.isoformat(),
                "location": (data or {}).get("location", ""),
                "doctor": (data or {}).get("doctor", ""),
            }
        super().__init__(data, **kwargs)
        self.fields["location"].queryset = Location.objects.only("pk", "name").order_by("name")
        # Doctors who left still have visits in past ranges: all of them, by name.
        self.fields["doctor"].queryset = Doctor.objects.only("pk", "name").order_by("name", "pk")
        self.fields["doctor"].label_from_instance = lambda doctor: doctor.name
