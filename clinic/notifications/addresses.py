"""Email and phone addresses: validated, normalized, and masked for display.

Patients store 10-digit national numbers; everything that leaves the server
uses E.164 (`+919812345678`), parsed with `phonenumbers` in the clinic's
default region (settings.PHONE_DEFAULT_REGION).
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from clinic.core.errors import InvalidInput

EMAIL = "email"
SMS = "sms"


def normalize_email(raw, *, field: str = "email") -> str:
    value = (raw if isinstance(raw, str) else "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidInput(f"{field}: Enter a valid email address.", field=field) from None
    return value


def phone_e164(raw) -> str | None:
    """The E.164 form of a phone number, or None when it is not a valid number."""
    if not isinstance(raw, str | int) or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw).strip(), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw, *, field: str = "sms") -> str:
    value = phone_e164(raw)
    if value is None:
        raise InvalidInput(f"{field}: Enter a valid mobile number.", field=field)
    return value


def normalize(channel: str, raw, *, field: str | None = None) -> str:
    if channel == EMAIL:
        return normalize_email(raw, field=field or "email")
    return normalize_phone(raw, field=field or "sms")


def national_number(e164: str) -> str | None:
    """The number as patients store it (national digits), if it is in the clinic's country."""
    number = phonenumbers.parse(e164)
    home = phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION)
    if number.country_code != home:
        return None
    return phonenumbers.national_significant_number(number)


def patient_recipients(patient) -> dict[str, str]:
    """The addresses a patient's notifications may go to: only verified ones.

    An address typed at sign-up proves nothing: an attacker could enter someone
    else's number (or a premium-rate one) and make the clinic send, and pay for,
    a message per booking. Only the one-time code that verifies an address goes
    to it before that (clinic.otp.services.otp_issue). SMS also need a valid
    number and no opt-out.
    """
    recipients = {}
    email = patient.contact_email.strip()  # the login's address, else the record's
    if email and patient.email_verified:
        recipients[EMAIL] = email
    if patient.phone and patient.phone_verified and not patient.sms_opt_out:
        phone = phone_e164(str(patient.phone))  # stored E.164; None if not a valid number
        if phone:
            recipients[SMS] = phone
    return recipients


def mask(channel: str, address: str) -> str:
    """Enough of an address to recognise it in the admin, not enough to use it."""
    if channel == EMAIL:
        local, _, domain = address.partition("@")
        shown = local[:1] + "***" + (local[-1:] if len(local) > 2 else "")
        return f"{shown}@{domain}"
    return address[:3] + "*" * max(len(address) - 7, 0) + address[-4:]
