"""Django's admin for superusers who passed the second factor (django-otp's OTPAdminSite).

Staff who are not superusers work in the workspace at /clinic/; the admin's login
is the throttled password check of every form plus the authenticator's code.
"""

from django import forms
from django.core.exceptions import ValidationError
from django_otp.admin import OTPAdminSite

from clinic.accounts.forms import AdminLoginForm
from clinic.staff.signin import has_confirmed_device, staff_totp_check


class AdminOTPLoginForm(AdminLoginForm):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                "Django's admin is for superusers. Clinic staff work at /clinic/.",
                code="not_superuser",
            )

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is None:
            return cleaned
        if not has_confirmed_device(user):
            raise ValidationError(
                "Set up your authenticator app first: sign in once at /clinic/login/.",
                code="no_device",
            )
        device = staff_totp_check(user=user, code=cleaned.get("otp_token"))
        if device is None:
            raise ValidationError(
                "Enter the current 6-digit code from your authenticator app.", code="otp"
            )
        # django-otp marks the session verified by this device when the admin logs it in.
        user.otp_device = device
        return cleaned


class ClinicAdminSite(OTPAdminSite):
    login_form = AdminOTPLoginForm
    login_template = "admin/clinic_login.html"
    site_header = "CMS clinic administration"
    site_title = "CMS admin"

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        user = request.user
        is_verified = getattr(user, "is_verified", None)
        return bool(
            user.is_active and user.is_superuser and is_verified is not None and is_verified()
        )
