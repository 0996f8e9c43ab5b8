"""The shape of an ICD-10 code, checked strictly (there is no code list).

A code is a category of three characters, a letter, a digit and a digit or
letter (J06, C4A in ICD-10-CM), then optionally a dot and one to four digits
or letters (J06.9, S52.521A). Input is folded first (NFKC: full-width letters
and digits become ASCII), upper-cased and stripped; a code typed without its
dot (J069) gets one, so each code has one stored form.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

_SHAPE = re.compile(r"([A-Z][0-9][0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?", re.ASCII)
MESSAGE = (
    "Enter an ICD-10 code such as J06.9: a letter, a digit, a digit or letter, "
    "then optionally a dot and up to four digits or letters."
)


def icd10_normalise(value: str | None) -> str:
    """The stored form of `value` ("" for none); ValidationError if it is not a code's shape."""
    text = unicodedata.normalize("NFKC", value or "").strip().upper()
    if not text:
        return ""
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise ValidationError(MESSAGE, code="icd10")
    category, sub = match.groups()
    return f"{category}.{sub}" if sub else category


def validate_icd10(value: str) -> None:
    """A model validator: the stored value must already be in normal form."""
    if value and icd10_normalise(value) != value:
        raise ValidationError(MESSAGE, code="icd10")
