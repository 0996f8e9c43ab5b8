"""One-time passwords: send a code, verify it, reset the password with the result.

The views only parse input and pick the channel; the rules live in clinic.otp.services.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.accounts import throttles
from clinic.api.inputs import parse_input
from clinic.api.shapes import MessageSerializer, errors
from clinic.api.views.base import PublicApi
from clinic.core.errors import InvalidInput
from clinic.otp.models import OtpPurpose
from clinic.otp.services import otp_issue, otp_verify, password_reset

SENT_TO = {
    "email": "OTP Sent To The Registered Email.",
    "sms": "OTP Sent To The Registered Mobile Number.",
}


class AddressInputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "OtpAddressInput"

    email = serializers.CharField(
        max_length=254, required=False, allow_blank=True, help_text="The account's email."
    )
    sms = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The patient's mobile number (10 digits, or +country code).",
    )


class SendInputSerializer(AddressInputSerializer):
    class Meta:
        ref_name = "OtpSendInput"

    purpose = serializers.ChoiceField(
        choices=OtpPurpose.choices,
        default=OtpPurpose.RESET,
        help_text="What the code is for: `reset` (the default, as in the seed) earns a "
        "reset_token at verify-otp/; `verify` only verifies the address.",
    )


def _channel_and_address(data: dict) -> tuple[str, str]:
    """The seed's rule: email if given (it wins over sms), else sms."""
    if data.get("email"):
        return "email", data["email"]
    if data.get("sms"):
        return "sms", data["sms"]
    raise InvalidInput("email: Give an email address or a mobile number (sms).", field="email")


class OtpSendApi(PublicApi):
    """Send a one-time code to a registered email or mobile number.

    The answer is the same whether or not the address is registered, and the
    code is never in it. Sends are limited per address (a cooldown and an
    hourly cap) and per client (429 with Retry-After)."""

    @extend_schema(
        operation_id="otp_send",
        summary="Send a one-time code by email or SMS",
        parameters=[SendInputSerializer],
        responses={200: MessageSerializer, **errors(429)},
        auth=[],
    )
    def get(self, request):
        return self._send(request)

    @extend_schema(
        operation_id="otp_send_post",
        summary="Send a one-time code by email or SMS",
        request=SendInputSerializer,
        responses={200: MessageSerializer, **errors(429)},
        auth=[],
    )
    def post(self, request):
        return self._send(request)

    def _send(self, request):
        data = parse_input(request, SendInputSerializer)
        channel, address = _channel_and_address(data)
        otp_issue(
            channel=channel,
            address=address,
            client_key=throttles.client_ip_of(request),
            purpose=data["purpose"],
        )
        return Response({"MSG": SENT_TO[channel]})


class OtpVerifyApi(PublicApi):
    """Check a one-time code. Success marks the address verified; a code asked
    for a password reset (the default) also returns a short-lived, single-use
    `reset_token` for reset-password/, a verification code answers without one.
    Checks are limited per code (a few wrong tries) and per client (429)."""

    class InputSerializer(AddressInputSerializer):
        class Meta:
            ref_name = "OtpVerifyInput"

        otp = serializers.CharField(max_length=12, help_text="The 6-digit code.")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "OtpVerifyOutput"

        MSG = serializers.CharField()
        reset_token = serializers.CharField(
            required=False, help_text="Only for a code asked with purpose `reset`."
        )

    @extend_schema(
        operation_id="otp_verify",
        summary="Verify a one-time code",
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(429)},
        auth=[],
    )
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        channel, address = _channel_and_address(data)
        token = otp_verify(
            channel=channel,
            address=address,
            code=data["otp"],
            client_key=throttles.client_ip_of(request),
        )
        if token is None:
            return Response({"MSG": "OTP Verified"})
        return Response({"MSG": "OTP Verified", "reset_token": token})


class PasswordResetApi(PublicApi):
    """Set a new password with the `reset_token` from verify-otp/.

    Every API token of the account is revoked and its web sessions end."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PasswordResetInput"

        reset_token = serializers.CharField(max_length=200)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    @extend_schema(
        operation_id="password_reset",
        summary="Reset the password with a verified code's token",
        request=InputSerializer,
        responses={200: MessageSerializer, **errors()},
        auth=[],
    )
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        password_reset(reset_token=data["reset_token"], password=data["password"])
        return Response({"MSG": "Password Reset. Log in with the new password."})
