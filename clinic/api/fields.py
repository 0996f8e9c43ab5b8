"""Input fields for the seed's formats: dates like 2021-07-6, slots like "09:30 am", id lists."""

import datetime as dt
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.core import clock

# ASCII only: Python's \d also matches full-width and other scripts' digits,
# which int() reads as numbers ("０９:３０ AM" would book 09:30).
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", re.ASCII)
_SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([AaPp][Mm])\s*$", re.ASCII)


def seed_date(value: dt.date) -> str:
    """A date as the API writes it: YYYY-MM-DD."""
    return value.isoformat()


def seed_slot(value: dt.time) -> str:
    """A slot as the API writes it: the 12-hour label, e.g. "09:30 AM"."""
    return clock.slot_label(value)


@extend_schema_field({"type": "string", "format": "date", "example": "2030-01-08"})
class SeedDateField(serializers.Field):
    """YYYY-MM-DD; a one-digit month or day (the seed's own `2021-07-6`) is accepted too."""

    default_error_messages = {
        "invalid": "Use the format YYYY-MM-DD.",
        "impossible": "{value} is not a real date.",
    }

    def to_internal_value(self, data):
        if isinstance(data, dt.datetime) or not isinstance(data, str | dt.date):
            self.fail("invalid")
        if isinstance(data, dt.date):
            return data
        match = _DATE.match(data)
        if not match:
            self.fail("invalid")
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            self.fail("impossible", value=data.strip())

    def to_representation(self, value):
        return seed_date(value)


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{1,2}:\d{2} ?[AaPp][Mm]$", "example": "09:30 AM"}
)
class SlotField(serializers.Field):
    """A 12-hour slot label such as "09:30 AM", in any letter case."""

    default_error_messages = {"invalid": 'Use a 12-hour time such as "09:30 AM".'}

    def to_internal_value(self, data):
        match = _SLOT.match(data) if isinstance(data, str) else None
        if not match:
            self.fail("invalid")
        hour, minute, half = int(match[1]), int(match[2]), match[3].upper()
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            self.fail("invalid")
        return dt.time(hour % 12 + (12 if half == "PM" else 0), minute)

    def to_representation(self, value):
        return seed_slot(value)


class IdListField(serializers.ListField):
    """A list of ids; as a query parameter also `1,2,3` or the key repeated."""

    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # The length first: DRF validates every item before it looks at max_length,
        # so 150,000 ids cost seconds and came back as 150,000 item errors.
        if isinstance(data, list | tuple) and self.max_length is not None:
            if len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [part for item in value for part in item.split(",") if part.strip()]
        if isinstance(value, str):
            return [part for part in value.split(",") if part.strip()]
        return value
