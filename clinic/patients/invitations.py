"""Portal access for a patient who has none yet: invited, then claimed with a code.

Staff invite a record that has no login, by email or SMS to the record's own
address. The message is the otp app's one-time code ("otp_code"), issued and
throttled by the otp app's machinery on a row of its own (the address scoped
to the record, so it never disturbs a password reset of the same address). The
patient then claims the record: the record number, the address, the code, and
the username and password they choose. A right code proves they hold the
address; the login is created and linked in one transaction, or nothing is.
"""

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare

from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput, Throttled
from clinic.notifications import addresses
from clinic.notifications.services import message_queue
from clinic.otp import services as otp
from clinic.otp.models import OtpChannel, OtpCode, OtpPurpose
from clinic.patients.models import RECORD_PREFIX, Patient
from clinic.patients.services import (
    _full_clean,
    _validate_password,
    patient_phone_mark_verified,
)

logger = logging.getLogger(__name__)

WRONG = "otp: The record number, address or code is wrong, or the code has expired."


def _scoped(patient_pk: int, address: str) -> str:
    return f"claim:{patient_pk}:{address}"


def _invite_address(patient: Patient, channel: str) -> str:
    if channel == OtpChannel.EMAIL:
        if not patient.email:
            raise InvalidInput("channel: This patient has no email address.", field="channel")
        return addresses.normalize_email(patient.email)
    if not patient.phone:
        raise InvalidInput("channel: This patient has no phone number.", field="channel")
    return addresses.normalize_phone(str(patient.phone), field="channel")


def patient_invite(*, patient: Patient, channel: str, actor) -> None:
    """Send `patient` (who has no login) a one-time code to claim portal access.

    InvalidInput when the record already has a login or no address on the
    channel; Throttled when the address had codes too often.
    """
    if channel not in OtpChannel.values:
        raise InvalidInput("channel: Choose email or SMS.", field="channel")
    if patient.user_id is not None:
        raise InvalidInput("patient: This patient already has a portal login.", field="patient")
    address = _invite_address(patient, channel)
    now = clock.now()
    with transaction.atomic():
        row = otp._locked_row(channel, _scoped(patient.pk, address))
        otp._throttle_address(row, now)
        row.user = None
        row.generation += 1
        row.code_hash = ""  # drawn by the sender (otp_code_draw)
        row.purpose = OtpPurpose.VERIFY  # never a password reset
        row.issued_at = now
        row.expires_at = now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS)
        row.used_at = None
        row.attempts = 0
        row.last_sent_at = now
        row.sends_in_window += 1
        row.save()
        message_queue(
            channel=channel,
            recipient=address,
            template="otp_code",
            context={"otp_id": row.pk, "generation": row.generation},
            idempotency_key=f"otp:{row.pk}:{row.generation}",
        )
        audit_log(actor=actor, action="patient.invited", obj=patient, channel=channel)
    logger.info("Portal invitation on %s to %s", channel, addresses.mask(channel, address))


def _record(record_number) -> Patient | None:
    text = (record_number or "").strip().upper() if isinstance(record_number, str) else ""
    match = re.fullmatch(rf"{RECORD_PREFIX}(\d{{1,12}})", text)
    if not match:
        return None
    return Patient.objects.filter(record_number=text).first()


def patient_claim(
    *,
    record_number: str,
    channel: str,
    address: str,
    code: str,
    username: str,
    password: str,
    email: str = "",
):
    """Create the portal login of an invited record; returns the new user.

    `email` is the login's address when the code came by SMS (the record's own
    email is used when it has one). Every failure is InvalidInput (or Throttled
    after too many wrong codes) and changes nothing but the wrong-try counter.
    """
    if channel not in OtpChannel.values:
        raise InvalidInput("channel: Choose email or SMS.", field="channel")
    address = addresses.normalize(channel, address, field="address")
    code = code.strip() if isinstance(code, str) else ""
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidInput("otp: Enter the 6-digit code.", field="otp")
    User = get_user_model()
    username = (username or "").strip()
    patient = _record(record_number)
    login_email = address if channel == OtpChannel.EMAIL else (email or (patient and patient.email))
    user = User(
        username=username,
        email=User.objects.normalize_email(login_email or "").lower(),
        first_name=patient.given_name if patient else "",
        last_name=patient.family_name if patient else "",
    )
    now = clock.now()
    with transaction.atomic():
        digest = otp._address_digest(channel, _scoped(patient.pk if patient else 0, address))
        row = (
            OtpCode.objects.select_for_update()
            .filter(channel=channel, address_digest=digest)
            .first()
        )
        outcome = _check(row, code, now)
        if outcome == "wrong":
            row.attempts += 1
            row.save(update_fields=["attempts", "updated_at"])
    if outcome == "locked":
        raise Throttled(
            "Too many wrong codes. Ask the clinic for a new invitation.", retry_after=60
        )
    if outcome != "ok" or patient is None:
        raise InvalidInput(WRONG, field="otp")
    return _create_login(
        patient=patient, row_pk=row.pk, user=user, password=password, channel=channel
    )


def _check(row: OtpCode | None, code: str, now) -> str:
    if row is None or row.used_at is not None or row.expires_at is None or row.expires_at <= now:
        return "dead"
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        return "locked"
    if row.code_hash and constant_time_compare(row.code_hash, otp._code_hash(row, code)):
        return "ok"
    return "wrong"


def _create_login(*, patient: Patient, row_pk: int, user, password: str, channel: str):
    User = get_user_model()
    if not user.username:
        raise InvalidInput("username: This field is required.", field="username")
    if User.objects.filter(username__iexact=user.username).exists():
        raise InvalidInput("username: This username is taken.", field="username")
    if not user.email:
        raise InvalidInput("email: Enter the email address for your login.", field="email")
    if User.objects.filter(email__iexact=user.email).exists():
        raise InvalidInput("email: An account with this email already exists.", field="email")
    _validate_password(password, user)
    user.set_password(password)
    _full_clean(user)
    try:
        with transaction.atomic():
            # The code is used up and the record linked only if both still hold.
            used = OtpCode.objects.filter(pk=row_pk, used_at__isnull=True).update(
                used_at=clock.now(), updated_at=clock.now()
            )
            user.save()
            linked = Patient.objects.filter(pk=patient.pk, user__isnull=True).update(
                user=user,
                updated_at=clock.now(),
                **({"email_verified": True} if channel == OtpChannel.EMAIL else {}),
            )
            if used != 1 or linked != 1:
                raise _Lost
            patient.refresh_from_db()
            if channel == OtpChannel.SMS:
                patient_phone_mark_verified(patient=patient)
            audit_log(actor=user, action="patient.claimed", obj=patient, channel=channel)
    except _Lost:
        raise InvalidInput(WRONG, field="otp") from None
    except IntegrityError:  # a username or email taken meanwhile
        raise InvalidInput(
            "username: This username or email was just taken; choose another.", field="username"
        ) from None
    return user


class _Lost(Exception):
    """Another claim used the code or linked the record first."""
