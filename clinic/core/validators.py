import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from clinic.core import clock

phone_validator = RegexValidator(r"^\d{10}$", "Phone number must be exactly 10 digits.")


def validate_not_future(value: dt.date) -> None:
    if value > clock.today():
        raise ValidationError("Date cannot be in the future.")
