"""Workspace forms: they parse and label input; every rule stays in the services."""

from django import forms

from clinic.portal.forms import BootstrapMixin


class StaffLoginForm(BootstrapMixin, forms.Form):
    login = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OneTimeCodeInput(forms.PasswordInput):
    """A plain text box that, like a password box, never sends a typed code back."""

    input_type = "text"


class CodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=12,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
