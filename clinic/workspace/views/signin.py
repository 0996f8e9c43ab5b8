"""The staff sign-in: password, then the authenticator's code (clinic.staff.signin)."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.core.errors import InvalidInput, Throttled
from clinic.portal.errors import form_add_error, user_message
from clinic.staff.middleware import IDLE_ENDED_KEY
from clinic.staff.signin import (
    SigninExpired,
    has_confirmed_device,
    is_verified_staff,
    staff_signin_pending,
    staff_signin_start,
    staff_totp_confirm,
    staff_totp_enrolment,
    staff_totp_verify,
    totp_secret,
)
from clinic.workspace.forms import CodeForm, StaffLoginForm

NEXT_KEY = "staff_signin_next"


def _safe_next(request, wanted: str) -> str:
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def _after_signin(request):
    return redirect(request.session.pop(NEXT_KEY, "") or resolve_url("workspace:home"))


@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    if is_verified_staff(request.user):
        return redirect(_safe_next(request, request.GET.get("next", "")) or "workspace:home")
    form = StaffLoginForm(request.POST or None)
    status = 200
    if request.session.pop(IDLE_ENDED_KEY, False):
        messages.info(request, "You were signed out after a while without activity.")
    if request.method == "POST" and form.is_valid():
        wanted = _safe_next(request, request.POST.get("next", ""))
        try:
            step = staff_signin_start(
                request=request,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
            )
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except InvalidInput as exc:
            form.add_error(None, user_message(exc))
            status = 400
        else:
            request.session[NEXT_KEY] = wanted
            return redirect(f"workspace:login_{step}")
    if form.errors:
        form.fields["login"].widget.attrs.pop("autofocus", None)
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "workspace/signin/login.html", context, status=status)


def _code_step(request, *, template: str, check, extra=None):
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            check(request=request, code=form.cleaned_data["code"])
        except SigninExpired as exc:
            messages.error(request, user_message(exc))
            return redirect("workspace:login")
        except InvalidInput as exc:
            form_add_error(form, exc)
            status = 400
        else:
            return _after_signin(request)
    elif request.method == "POST":
        status = 400
    if form.errors:
        form.fields["code"].widget.attrs.pop("autofocus", None)
    return render(request, template, {"form": form, **(extra or {})}, status=status)


@never_cache
@sensitive_post_parameters("code")
def verify_view(request):
    """The code from the authenticator the account already has."""
    user = staff_signin_pending(request=request)
    if user is None:
        return redirect("workspace:login")
    if not has_confirmed_device(user):
        return redirect("workspace:login_setup")
    return _code_step(request, template="workspace/signin/verify.html", check=staff_totp_verify)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@never_cache
@sensitive_post_parameters("code")
def setup_view(request):
    """First sign-in (or after a reset): add the clinic to an authenticator app."""
    user = staff_signin_pending(request=request)
    if user is None:
        return redirect("workspace:login")
    if has_confirmed_device(user):
        return redirect("workspace:login_verify")
    device = staff_totp_enrolment(user=user)
    extra = {
        # Made here from the device's own secret: no third party ever sees it.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 (our own SVG)
        "secret": totp_secret(device),
        "account": user.get_username(),
    }
    return _code_step(
        request, template="workspace/signin/setup.html", check=staff_totp_confirm, extra=extra
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("workspace:login")
