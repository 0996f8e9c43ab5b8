from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from clinic.accounts.login import account_login
from clinic.core.errors import InvalidInput, Throttled


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login through the same limits as the API's and the portal's."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = account_login(
                    request=self.request, login=username, password=password
                )
            except Throttled as exc:
                raise ValidationError(exc.message, code="throttled") from None
            except InvalidInput:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
