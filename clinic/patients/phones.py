"""Patients' phone numbers: read in the clinic's region, stored in E.164.

Input arrives as the seed API's ten national digits, with spaces or dashes, or
in international form. Digits of any script (full-width `９`, Devanagari `९`)
are read as the digits they are, so a number cannot be stored twice under two
spellings; anything else that is not a valid number of the clinic's region is
refused.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber

from clinic.core.errors import InvalidInput

_PLAIN = re.compile(r"\+?[0-9][0-9 ().-]*")


def _ascii_digits(raw: str) -> str:
    # NFKC folds full-width forms; unicodedata.digit reads the digits of other scripts.
    text = unicodedata.normalize("NFKC", raw)
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text
    )


def phone_parse(raw, *, field: str = "phone") -> PhoneNumber:
    """`raw` as a valid number of settings.PHONE_REGION, or InvalidInput naming `field`."""
    message = f"{field}: Enter a valid phone number."
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(message, field=field)
    text = _ascii_digits(raw.strip())
    # Digits and the usual separators only: phonenumbers would read letters as a
    # keypad's digits ("98765abcde"), which no clinic form means.
    if not _PLAIN.fullmatch(text):
        raise InvalidInput(message, field=field)
    region = settings.PHONE_REGION
    try:
        number = PhoneNumber.from_string(text, region=region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(message, field=field) from None
    if not phonenumbers.is_valid_number_for_region(number, region):
        raise InvalidInput(message, field=field)
    return number
