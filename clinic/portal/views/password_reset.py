"""Forgotten password: an email address or phone number, then the OTP, then a new password.

Every rule (throttling, OTP expiry and attempts, the reset token) lives in
clinic.otp.services; the session only carries the address between the steps
and then the reset token, never the code.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from clinic.accounts.throttles import client_ip_of
from clinic.core.errors import ApplicationError, InvalidInput, Throttled
from clinic.otp.services import otp_issue, otp_verify, password_reset
from clinic.portal.errors import form_add_error, user_message
from clinic.portal.forms import ForgotForm, NewPasswordForm, OtpForm

_ADDRESS = "portal_reset_address"
_TOKEN = "portal_reset_token"


def forgot(request):
    form = ForgotForm(request.POST or None, initial={"channel": "email"})
    status = 200
    if request.method == "POST" and form.is_valid():
        channel, address = form.cleaned_data["channel"], form.cleaned_data["address"].strip()
        try:
            otp_issue(channel=channel, address=address, client_key=client_ip_of(request))
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except ApplicationError as exc:
            form_add_error(form, exc, field_map={"email": "address", "sms": "address"})
        else:
            request.session[_ADDRESS] = {"channel": channel, "address": address}
            request.session.pop(_TOKEN, None)
            where = "email address" if channel == "email" else "mobile number"
            # The same words whether or not an account has this address.
            messages.info(request, f"If an account has this {where}, a 6-digit code is on its way.")
            return redirect("portal:password_verify")
    return render(request, "portal/auth/password_forgot.html", {"form": form}, status=status)


def verify(request):
    sent_to = request.session.get(_ADDRESS)
    if not sent_to:
        return redirect("portal:password_forgot")
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            token = otp_verify(
                channel=sent_to["channel"],
                address=sent_to["address"],
                code=form.cleaned_data["otp"],
                client_key=client_ip_of(request),
            )
        except Throttled as exc:
            form.add_error(None, user_message(exc))
            status = 429
        except ApplicationError as exc:
            form.add_error("otp", user_message(exc))
        else:
            if token is not None:
                request.session[_TOKEN] = token
                request.session.pop(_ADDRESS, None)
                return redirect("portal:password_new")
            # A verification code (asked for elsewhere since) verifies, resets nothing.
            form.add_error("otp", "This code was not sent for a password reset. Ask for a new one.")
    context = {"form": form, "sent_to": sent_to}
    return render(request, "portal/auth/password_verify.html", context, status=status)


@sensitive_post_parameters()
def new_password(request):
    token = request.session.get(_TOKEN)
    if not token:
        messages.error(request, "Please start again: ask for a new code.")
        return redirect("portal:password_forgot")
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset(reset_token=token, password=form.cleaned_data["password1"])
        except InvalidInput as exc:
            if exc.field == "password" or "password" in exc.fields:
                form_add_error(form, exc, field_map={"password": "password1"})
            else:
                request.session.pop(_TOKEN, None)
                messages.error(request, f"{user_message(exc)} Please ask for a new code.")
                return redirect("portal:password_forgot")
        else:
            request.session.pop(_TOKEN, None)
            messages.success(request, "Your password has been reset. Please log in.")
            return redirect("portal:login")
    return render(request, "portal/auth/password_new.html", {"form": form})
