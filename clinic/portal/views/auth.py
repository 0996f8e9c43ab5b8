"""Register, log in and log out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.accounts.login import account_login
from clinic.accounts.throttles import client_ip_of, signup_attempt_check
from clinic.core.errors import InvalidInput, Throttled
from clinic.patients.invitations import patient_claim
from clinic.patients.services import patient_register
from clinic.portal.errors import form_add_error, user_message
from clinic.portal.forms import ClaimForm, LoginForm, RegisterForm


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signup_attempt_check(client_ip=client_ip_of(request))
            patient = patient_register(**form.cleaned_data)
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except InvalidInput as exc:
            form_add_error(form, exc)
        else:
            login(request, patient.user, backend="clinic.accounts.backends.EmailOrUsernameBackend")
            messages.success(
                request,
                f"Welcome, {patient.given_name}! Your account is ready "
                f"(username: {patient.user.username}).",
            )
            return redirect("portal:dashboard")
    return render(request, "portal/auth/register.html", {"form": form}, status=status)


@sensitive_post_parameters("password", "code")
def claim(request):
    """A patient the clinic invited chooses a username and password for their record."""
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signup_attempt_check(client_ip=client_ip_of(request))
            user = patient_claim(**form.cleaned_data)
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except InvalidInput as exc:
            form_add_error(form, exc, field_map={"otp": "code"})
            status = 400
        else:
            login(request, user, backend="clinic.accounts.backends.EmailOrUsernameBackend")
            messages.success(request, f"Welcome, {user.first_name or user.username}! "
                                      "Your portal access is ready.")
            return redirect("portal:dashboard")
    return render(request, "portal/auth/claim.html", {"form": form}, status=status)


@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # The same sequence and limits as the API's and the admin's login.
        try:
            user = account_login(
                request=request,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
            )
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except InvalidInput:
            form.add_error(None, "That username or email and password do not match.")
        else:
            login(request, user)
            messages.success(request, f"Welcome back, {user.display_name}.")
            return redirect(_next_url(request))
    if form.errors:
        # Focus goes to the error summary (its autofocus), not back to the first field.
        form.fields["login"].widget.attrs.pop("autofocus", None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "next": next_url}
    return render(request, "portal/auth/login.html", context, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "You have been logged out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)
