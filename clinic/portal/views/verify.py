"""Verify the account's email address or mobile number with a one-time code.

The code is issued and checked by clinic.otp.services, the same rules as the
password reset (throttles, expiry, attempts); a right code marks the address
verified there. The session remembers only which address a code went to.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from clinic.accounts.throttles import client_ip_of
from clinic.core.errors import ApplicationError, Throttled
from clinic.otp.models import OtpPurpose
from clinic.otp.services import otp_issue, otp_verify
from clinic.portal.decorators import patient_required
from clinic.portal.errors import user_message
from clinic.portal.forms import OtpForm

_SENT = "portal_verify_sent"  # {channel: address a code was sent to}
CHANNELS = {
    "email": ("email address", "email_verified"),
    "sms": ("mobile number", "phone_verified"),
}


def _address_of(patient, channel: str) -> str:
    return patient.user.email if channel == "email" else str(patient.phone or "")


@patient_required
def verify(request, channel: str):
    if channel not in CHANNELS:
        raise Http404("No such channel.")
    what, flag = CHANNELS[channel]
    # The login's own record: a guardian viewing a dependant verifies their own address.
    patient = getattr(request, "own_patient", request.patient)
    address = _address_of(patient, channel)
    if getattr(patient, flag):
        messages.info(request, f"Your {what} is already verified.")
        return redirect("portal:profile")
    sent = request.session.get(_SENT, {})
    code_sent = sent.get(channel) == address and bool(address)
    form = OtpForm(request.POST if request.POST.get("action") == "check" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            otp_issue(
                channel=channel,
                address=address,
                client_key=client_ip_of(request),
                purpose=OtpPurpose.VERIFY,  # verifies the address, earns no reset token
            )
        except ApplicationError as exc:  # a throttle, or no valid address on the profile
            messages.error(request, user_message(exc))
        else:
            request.session[_SENT] = {**sent, channel: address}
            messages.info(request, f"A 6-digit code is on its way to {address}.")
        return redirect("portal:verify", channel=channel)
    if request.method == "POST" and form.is_bound and form.is_valid():
        if not code_sent:
            form.add_error(None, "Ask for a code first.")
        else:
            try:
                otp_verify(
                    channel=channel,
                    address=address,
                    code=form.cleaned_data["otp"],
                    client_key=client_ip_of(request),
                )
            except Throttled as exc:
                form.add_error(None, user_message(exc))
                status = 429
            except ApplicationError as exc:
                form.add_error("otp", user_message(exc))
            else:
                request.session[_SENT] = {k: v for k, v in sent.items() if k != channel}
                messages.success(request, f"Your {what} is verified.")
                return redirect("portal:profile")
    context = {
        "channel": channel,
        "what": what,
        "address": address,
        "code_sent": code_sent,
        "form": form,
    }
    return render(request, "portal/profile/verify.html", context, status=status)
