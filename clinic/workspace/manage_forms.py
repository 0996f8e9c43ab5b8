"""Forms of the manager's pages: they parse and label input; the rules stay in the services."""

import datetime as dt

from django import forms
from django.db.models import Q

from clinic.core import clock
from clinic.doctors.models import Doctor, Location, Weekday
from clinic.portal.forms import BootstrapMixin, DateInput
from clinic.staff.roles import Role

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


class StaffRolesForm(BootstrapMixin, forms.Form):
    """Roles, doctor link and name: what a manager changes on an existing login."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles", choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    doctor = forms.ModelChoiceField(
        label="Linked doctor",
        required=False,
        empty_label="No doctor",
        queryset=Doctor.objects.none(),
        help_text="A login with the doctor role is linked to that doctor's record.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Doctors without a login, and this login's own doctor.
        free = Q(user__isnull=True) | Q(user=user) if user is not None else Q(user__isnull=True)
        self.fields["doctor"].queryset = Doctor.objects.filter(free).only("pk", "name")
        self.fields["doctor"].label_from_instance = lambda doctor: doctor.name
        self.fields["roles"].widget.attrs.pop("class", None)


class StaffCreateForm(StaffRolesForm):
    username = forms.CharField(label="Username", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(
        label="First password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Hand it over in person; the login sets up its authenticator app at its "
        "first sign-in.",
    )

    field_order = ["username", "email", "first_name", "last_name", "roles", "doctor", "password"]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DoctorChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Doctor.objects.only("pk", "name").order_by("name", "pk"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return obj.name


class SessionForm(BootstrapMixin, forms.Form):
    """A weekly session; the doctor is chosen when adding only (a session stays theirs)."""

    doctor = DoctorChoiceField(label="Doctor")
    location = forms.ModelChoiceField(label="Site", queryset=Location.objects.only("pk", "name"))
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label="Starts", widget=TimeInput())
    end = forms.TimeField(label="Ends", widget=TimeInput())
    slot_minutes = forms.IntegerField(
        label="Slot length (minutes)", min_value=5, max_value=240,
        help_text="Each booking starts on a slot; a change never strands a booked visit.",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["doctor"]


class TimeOffForm(BootstrapMixin, forms.Form):
    doctor = DoctorChoiceField(label="Doctor")
    start_date = forms.DateField(label="First day off", widget=DateInput())
    end_date = forms.DateField(label="Last day off", widget=DateInput())
    reason = forms.CharField(label="Reason", max_length=120, required=False,
                             help_text="For the clinic only, e.g. 'Conference'.")

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["doctor"]


class VisitTypeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=240,
                                 help_text="How long the doctor's time is held, 5 to 240.")
    is_active = forms.BooleanField(label="Takes bookings", required=False, initial=True)


class SiteForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    address = forms.CharField(label="Address", max_length=300)
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    time_zone = forms.CharField(label="Time zone", max_length=64,
                                help_text="The IANA name, e.g. Asia/Kolkata.")
    map_url = forms.URLField(label="Map link", max_length=500, required=False,
                             assume_scheme="https")

