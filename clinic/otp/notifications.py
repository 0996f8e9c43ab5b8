"""The one-time code message; registered in OtpConfig.ready()."""

from django.conf import settings

from clinic.notifications import registry
from clinic.otp.services import otp_code_draw

OTP_CODE = "otp_code"


def _otp(ctx: dict) -> dict | None:
    # The code is drawn now, by the sender, and exists only in this process's
    # memory: the database holds its keyed hash, never the code.
    code = otp_code_draw(otp_id=ctx["otp_id"], generation=ctx["generation"])
    if code is None:
        return None
    return {"code": code, "minutes": max(settings.OTP_TTL_SECONDS // 60, 1)}


def register() -> None:
    # Every attempt draws a new code, so each is a new message to the receiver.
    registry.message_type_register(template=OTP_CODE, builder=_otp, fresh_each_attempt=True)
