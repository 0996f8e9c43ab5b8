"""One-time passwords: issue, verify, and reset a password with the result.

The rules (STYLE habit 9): six digits from `secrets`, stored as a keyed hash,
expiring, single use, locked after OTP_MAX_ATTEMPTS wrong tries, compared in
constant time. Sends are throttled per address (cooldown and hourly cap, in
the database) and per client; checks are throttled per client too
(clinic.core.throttle). Every answer is the same whether or not the address
belongs to an account. A code remembers what it was asked for: only a
password-reset code earns a reset token, a verification code only verifies.

Interface-neutral: the API and the portal call these with plain values and
map the domain errors (InvalidInput -> 400, Throttled -> 429).
"""

import datetime as dt
import logging
import math
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from clinic.accounts.services import password_set
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput, Throttled
from clinic.core.throttle import throttle_check
from clinic.notifications import addresses
from clinic.notifications.services import message_queue
from clinic.otp.models import OtpChannel, OtpCode, OtpPurpose
from clinic.otp.tokens import reset_token_check, reset_token_make, reset_token_user_id
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_account_for_phone
from clinic.patients.services import patient_phone_mark_verified

logger = logging.getLogger(__name__)

HOUR = dt.timedelta(hours=1)
WRONG_CODE = "otp: The code is wrong or has expired. Request a new code."
BAD_RESET_TOKEN = "reset_token: This reset link is invalid or has expired. Verify a new code."


def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"clinic.otp.{purpose}", value, algorithm="sha256").hexdigest()


def _address_digest(channel: str, address: str) -> str:
    return _digest("address", f"{channel}:{address}")


def _code_hash(otp: OtpCode, code: str) -> str:
    # Bound to the row and its generation: a hash copied to another row or
    # kept from an older code matches nothing.
    return _digest("code", f"{otp.pk}:{otp.generation}:{otp.channel}:{otp.address_digest}:{code}")


def _account_for(channel: str, address: str):
    """The one active account the address belongs to, or None.

    A phone number belongs to the patient who verified it, else to the login that
    registered it first (patient_account_for_phone): typing in someone else's
    number takes nothing from them.
    """
    User = get_user_model()
    if channel == OtpChannel.EMAIL:
        users = list(User.objects.filter(email__iexact=address, is_active=True)[:2])
    else:
        # The number's owner: its verified holder, else the login that registered it first.
        owner = patient_account_for_phone(phone=address)
        users = [owner] if owner is not None else []
    return users[0] if len(users) == 1 else None


def _throttle_client(scope: str, client_key: str, message: str) -> None:
    """A generous limit per client (IP address): a front desk helps many patients."""
    throttle_check(scope=scope, ident=client_key or "unknown", message=message)


def _locked_row(channel: str, address: str) -> OtpCode:
    digest = _address_digest(channel, address)
    OtpCode.objects.get_or_create(channel=channel, address_digest=digest)
    return OtpCode.objects.select_for_update().get(channel=channel, address_digest=digest)


def _throttle_address(otp: OtpCode, now: dt.datetime) -> None:
    """Cooldown between sends and a cap per hour; raises before anything changes."""
    cooldown = dt.timedelta(seconds=settings.OTP_SEND_COOLDOWN_SECONDS)
    if otp.last_sent_at and now < otp.last_sent_at + cooldown:
        wait = (otp.last_sent_at + cooldown - now).total_seconds()
        raise Throttled(
            f"A code was just sent. Wait {math.ceil(wait)} seconds before asking again.",
            retry_after=max(1, math.ceil(wait)),
        )
    if otp.window_started_at is None or now >= otp.window_started_at + HOUR:
        otp.window_started_at, otp.sends_in_window = now, 0
    if otp.sends_in_window >= settings.OTP_SENDS_PER_HOUR:
        wait = (otp.window_started_at + HOUR - now).total_seconds()
        raise Throttled(
            "Too many codes sent to this address. Try again later.",
            retry_after=max(1, math.ceil(wait)),
        )


def otp_issue(
    *, channel: str, address: str, client_key: str, purpose: str = OtpPurpose.RESET
) -> None:
    """Send a fresh code to `address` if it belongs to an account.

    `purpose` is what the code may be used for (OtpPurpose): only a RESET code
    earns a password-reset token when verified.

    Unknown addresses go through the same steps (throttle, row, counters) and
    simply get no message, so the answer tells nothing about accounts.
    Raises InvalidInput for a malformed address and Throttled when limited.
    """
    address = addresses.normalize(channel, address)
    if purpose not in OtpPurpose.values:
        raise InvalidInput("purpose: Choose reset or verify.", field="purpose")
    _throttle_client(
        "otp_client", client_key, "Too many code requests from this client. Try again later."
    )
    user = _account_for(channel, address)
    now = clock.now()
    with transaction.atomic():
        otp = _locked_row(channel, address)
        _throttle_address(otp, now)
        otp.user = user
        otp.generation += 1
        otp.code_hash = ""  # drawn by the sender, see otp_code_draw
        otp.purpose = purpose
        otp.issued_at = now
        otp.expires_at = now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS)
        otp.used_at = None
        otp.attempts = 0
        otp.last_sent_at = now
        otp.sends_in_window += 1
        otp.save()
        if user is not None:
            message_queue(
                channel=channel,
                recipient=address,
                template="otp_code",
                context={"otp_id": otp.pk, "generation": otp.generation},
                user=user,
                idempotency_key=f"otp:{otp.pk}:{otp.generation}",
            )
    logger.info("OTP issued on %s to %s", channel, addresses.mask(channel, address))


def otp_code_draw(*, otp_id: int, generation: int) -> str | None:
    """Draw the code for an issued OTP and store its hash; the sender calls this.

    Drawing at send time keeps the code out of the database and out of the
    task queue's arguments: it lives only in the sending process until it is
    handed to SMTP or Twilio. A retried send draws a new code, which replaces
    the undelivered one. None when the OTP was replaced, used or has expired.
    """
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        otp = OtpCode.objects.select_for_update().filter(pk=otp_id).first()
        if (
            otp is None
            or otp.generation != generation
            or otp.used_at is not None
            or otp.expires_at is None
            or otp.expires_at <= clock.now()
        ):
            return None
        otp.code_hash = _code_hash(otp, code)
        otp.save(update_fields=["code_hash", "updated_at"])
    return code


def otp_verify(*, channel: str, address: str, code, client_key: str = "") -> str | None:
    """Check a code; on success use it up and mark the address verified.

    Returns a password-reset token for a code issued for a reset, None for a
    verification code. Wrong, expired, used and never-issued codes all get the
    same InvalidInput; after OTP_MAX_ATTEMPTS wrong tries the code is locked
    (Throttled) until a new one is issued. Every check counts against the
    client, so one client cannot spread guesses over many addresses.
    """
    address = addresses.normalize(channel, address)
    _throttle_client(
        "otp_verify_client", client_key, "Too many code checks from this client. Try again later."
    )
    code = code.strip() if isinstance(code, str) else str(code) if isinstance(code, int) else ""
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidInput("otp: Enter the 6-digit code.", field="otp")
    user = _account_for(channel, address)
    now = clock.now()
    with transaction.atomic():
        otp = (
            OtpCode.objects.select_for_update()
            .filter(channel=channel, address_digest=_address_digest(channel, address))
            .first()
        )
        outcome = _check(otp, code, user, now)
        if outcome == "wrong":
            otp.attempts += 1
            otp.save(update_fields=["attempts", "updated_at"])
        elif outcome == "ok":
            otp.used_at = now
            otp.save(update_fields=["used_at", "updated_at"])
            _mark_verified(user, channel)
    if outcome == "locked":
        retry = (otp.last_sent_at or now) + dt.timedelta(seconds=settings.OTP_SEND_COOLDOWN_SECONDS)
        raise Throttled(
            "Too many wrong codes. Request a new code.",
            retry_after=max(1, math.ceil((retry - now).total_seconds())),
        )
    if outcome != "ok":
        raise InvalidInput(WRONG_CODE, field="otp")
    return reset_token_make(user) if otp.purpose == OtpPurpose.RESET else None


def _check(otp: OtpCode | None, code: str, user, now: dt.datetime) -> str:
    if otp is None or otp.used_at is not None or otp.expires_at is None:
        return "dead"
    if otp.expires_at <= now:
        return "dead"
    if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
        return "locked"
    # An empty hash (unknown address, not sent yet) never matches, but the
    # wrong try still counts, exactly as for a real code.
    matches = bool(otp.code_hash) and constant_time_compare(otp.code_hash, _code_hash(otp, code))
    # The address must still belong to the account the code was sent for.
    if matches and user is not None and otp.user_id == user.pk:
        return "ok"
    return "wrong"


def _mark_verified(user, channel: str) -> None:
    if channel == OtpChannel.EMAIL:
        Patient.objects.filter(user=user).update(email_verified=True, updated_at=clock.now())
    else:
        patient = Patient.objects.filter(user=user).first()
        if patient is not None:
            patient_phone_mark_verified(patient=patient)
    audit_log(actor=user, action=f"account.{channel}_verified", obj=user)


def password_reset(*, reset_token, password) -> None:
    """Set a new password with a token from otp_verify; revokes API tokens and sessions."""
    uid = reset_token_user_id(reset_token)
    if not isinstance(password, str) or not password:
        raise InvalidInput("password: This field is required.", field="password")
    User = get_user_model()
    with transaction.atomic():
        # The lock makes the token single use even for two requests at once:
        # the second sees the new password hash, which its token no longer matches.
        user = User.objects.select_for_update().filter(pk=uid, is_active=True).first()
        if user is None or not reset_token_check(user, reset_token):
            raise InvalidInput(BAD_RESET_TOKEN, field="reset_token")
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise InvalidInput(f"password: {' '.join(exc.messages)}", field="password") from None
        password_set(user=user, password=password, actor=user)
    logger.info("Password reset for user %s", user.pk)


def otp_prune_expired() -> int:
    """Delete the rows that can no longer matter: their code has expired and their
    send window and cooldown are over, so a new row behaves exactly the same."""
    now = clock.now()
    keep_for = max(
        HOUR,
        dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        dt.timedelta(seconds=settings.OTP_SEND_COOLDOWN_SECONDS),
    )
    cutoff = now - keep_for
    stale = OtpCode.objects.filter(updated_at__lt=cutoff).exclude(last_sent_at__gte=cutoff)
    stale = stale.exclude(expires_at__gte=now)
    deleted, _ = stale.delete()
    return deleted
