"""Portal forms: they parse and label input; every rule stays in the services."""

from django import forms
from django.conf import settings

from clinic.core import clock
from clinic.core.uploads import PictureFormField
from clinic.patients.models import Gender

FIELD_TEMPLATE = "portal/includes/field.html"


class BootstrapMixin:
    """Bootstrap classes and the portal's accessible field template on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = FIELD_TEMPLATE
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            elif isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text(max_length, autocomplete, **extra):
    return forms.CharField(
        max_length=max_length, widget=forms.TextInput(attrs={"autocomplete": autocomplete}), **extra
    )


class _PatientFields(BootstrapMixin, forms.Form):
    first_name = _text(150, "given-name")
    last_name = _text(150, "family-name", required=False)
    gender = forms.ChoiceField(choices=[("", "Choose…"), *Gender.choices])
    dob = forms.DateField(label="Date of birth", widget=DateInput(attrs={"autocomplete": "bday"}))
    phone = forms.CharField(
        label="Mobile number",
        max_length=10,
        help_text="10 digits, used for appointment SMS and password reset.",
        widget=forms.TextInput(
            attrs={"autocomplete": "tel-national", "inputmode": "numeric", "pattern": "[0-9]{10}"}
        ),
    )
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dob"].widget.attrs["max"] = clock.today().isoformat()


class RegisterForm(_PatientFields):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        strip=False,
        help_text="At least 8 characters; not only digits and not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "gender",
        "dob",
        "address",
        "password",
    ]


class ProfileForm(_PatientFields):
    sms_opt_out = forms.BooleanField(
        label="No SMS notifications",
        required=False,
        help_text="Email still reaches you; password-reset codes can still go by SMS on request.",
    )


class ClaimForm(BootstrapMixin, forms.Form):
    """Portal access for a clinic record: the invitation's code proves the address."""

    record_number = forms.CharField(
        label="Record number", max_length=20, help_text="On your clinic card, e.g. CMS-000123.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label="The code came by", choices=[("email", "Email"), ("sms", "SMS")],
        initial="email", widget=forms.RadioSelect,
    )
    address = forms.CharField(
        label="The email or mobile number it came to", max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )
    code = forms.CharField(
        label="Code", max_length=6, min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )
    username = _text(150, "username")
    email = forms.EmailField(
        label="Email for your login", required=False,
        help_text="Only needed when the code came by SMS and the clinic has no email for you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        strip=False,
        help_text="At least 8 characters; not only digits and not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(BootstrapMixin, forms.Form):
    login = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PictureForm(BootstrapMixin, forms.Form):
    # Checked and re-encoded as the form validates, as every upload is (clinic.core.uploads).
    picture = PictureFormField(
        label="New picture",
        help_text="A JPEG, PNG or WebP image.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = settings.PICTURE_MAX_BYTES / (1024 * 1024)
        self.fields["picture"].help_text = f"A JPEG, PNG or WebP image, up to {limit_mb:g} MB."


class SlotForm(BootstrapMixin, forms.Form):
    """A slot picked on the booking page: a date, a time and an optional reason."""

    date = forms.DateField(widget=forms.HiddenInput)
    time = forms.TimeField(label="Time", input_formats=["%H:%M", "%H:%M:%S"])
    reason = forms.CharField(
        label="Reason for visit",
        max_length=200,
        required=False,
        help_text="Optional; helps the doctor prepare.",
    )


class DayForm(forms.Form):
    date = forms.DateField(required=False)
    start = forms.DateField(required=False)


class DoctorFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or specialty"}),
    )
    specialty = forms.ChoiceField(label="Specialty", required=False)

    def __init__(self, *args, specialties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "All specialties")] + [(s, s) for s in specialties]


class ForgotForm(BootstrapMixin, forms.Form):
    CHANNELS = [("email", "Email"), ("sms", "SMS to my mobile")]
    channel = forms.ChoiceField(
        label="Send the code by", choices=CHANNELS, initial="email", widget=forms.RadioSelect
    )
    address = forms.CharField(
        label="Your email or mobile number",
        max_length=254,
        help_text="The email address or 10-digit mobile number on your account.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class OtpForm(BootstrapMixin, forms.Form):
    otp = forms.CharField(
        label="Code",
        max_length=6,
        min_length=6,
        help_text="The 6-digit code we sent you.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


class NewPasswordForm(BootstrapMixin, forms.Form):
    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class WaitlistJoinForm(BootstrapMixin, forms.Form):
    """A doctor and a range of dates to wait for; the rules are waitlist_join's."""

    doctor = forms.ModelChoiceField(queryset=None, empty_label="Choose…")
    first_day = forms.DateField(label="From", widget=DateInput())
    last_day = forms.DateField(
        label="To",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to wait for one day only.",
    )

    def __init__(self, *args, doctors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = doctors
        today = clock.today().isoformat()
        self.fields["first_day"].widget.attrs["min"] = today
        self.fields["last_day"].widget.attrs["min"] = today
