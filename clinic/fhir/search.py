"""Search parameters: parsing a query into criteria, and the value types FHIR defines.

A query is a list of (name, value) pairs. Repeating a parameter ANDs its
criteria; commas inside one value OR them (FHIR's rule). Result parameters
(`_count`, `_offset`) set the page. Parameters the server does not know are
ignored and left out of the Bundle's `self` link, as FHIR's default lenient
handling says; with `Prefer: handling=strict` they are a 400 instead. A known
parameter with a modifier or a value it cannot use is always a 400: a search that
silently broadened would show the caller more than they asked for.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from clinic.fhir.errors import InvalidSearch

DEFAULT_COUNT = 50
MAX_COUNT = 100
# Result parameters the server reads or may safely ignore (they only shape the answer).
RESULT_PARAMETERS = frozenset({"_count", "_offset", "_format", "_pretty", "_summary", "_total"})
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


@dataclass(frozen=True)
class Criterion:
    """One `name[:modifier]=value[,value...]` of a query: any of `values` matches."""

    name: str
    modifier: str | None
    values: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.name}:{self.modifier}" if self.modifier else self.name


@dataclass(frozen=True)
class Query:
    criteria: tuple[Criterion, ...]
    count: int
    offset: int
    # The pairs understood, for the Bundle's self and next links.
    applied: tuple[tuple[str, str], ...]


def parse_query(pairs, *, known: set[str], strict: bool = False) -> Query:
    """Read `pairs` [(name, value), ...] against the parameter names in `known`."""
    criteria, applied = [], []
    count, offset = DEFAULT_COUNT, 0
    for raw_name, raw_value in pairs:
        name, _, modifier = raw_name.partition(":")
        value = raw_value.strip()
        if name == "_count":
            count = min(_non_negative(name, value), MAX_COUNT)
            continue
        if name == "_offset":
            offset = _non_negative(name, value)
            continue
        if name in RESULT_PARAMETERS:
            continue
        if name not in known:
            if strict:
                raise InvalidSearch(f"Unknown search parameter: {raw_name}.")
            continue
        if value == "":
            # FHIR: a parameter with no value is ignored.
            continue
        values = tuple(v for v in _split_or(value) if v != "")
        criteria.append(Criterion(name=name, modifier=modifier or None, values=values))
        applied.append((raw_name, raw_value))
    return Query(criteria=tuple(criteria), count=count, offset=offset, applied=tuple(applied))


def _non_negative(name: str, value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise InvalidSearch(f"{name} must be a whole number, not {value[:40]!r}.")
    return int(value)


def _split_or(value: str) -> list[str]:
    """Split on commas not escaped as `\\,` (FHIR's escaping)."""
    parts = re.split(r"(?<!\\),", value)
    return [part.replace("\\,", ",") for part in parts]


def require_modifier(criterion: Criterion, allowed: tuple[str | None, ...] = (None,)) -> None:
    if criterion.modifier not in allowed:
        raise InvalidSearch(
            f"The modifier :{criterion.modifier} is not supported on {criterion.name}."
        )


# --- tokens and references


def token_parts(value: str) -> tuple[str | None, str]:
    """`system|code` → (system, code); `|code` → ("", code); `code` → (None, code)."""
    if "|" in value:
        system, _, code = value.partition("|")
        return system, code
    return None, value


def reference_id(
    value: str, *, types: tuple[str, ...], modifier: str | None = None
) -> tuple[str, str]:
    """A reference search value → (type, id). `Type/id`, an absolute URL ending in
    `Type/id`, or a bare id with the type from the `:Type` modifier or `types[0]`."""
    if modifier is not None and modifier not in types:
        raise InvalidSearch(f"The modifier :{modifier} is not supported here.")
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] in types:
        kind, ident = parts[-2], parts[-1]
        if modifier is not None and kind != modifier:
            return kind, ""  # matches nothing: asked for another type
        return kind, ident
    if len(parts) == 1:
        return modifier or types[0], parts[0]
    return "", ""  # a reference to some other type: matches nothing


def int_id(value: str) -> int | None:
    """A FHIR id that names one of our integer keys, or None (no such resource)."""
    if value.isdigit() and len(value) < 19:
        return int(value)
    return None


# --- dates

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"
)


@dataclass(frozen=True)
class DateRange:
    """A search date as the half-open instant range [low, high) it stands for."""

    prefix: str
    low: dt.datetime
    high: dt.datetime

    def matches_instant(self, at: dt.datetime) -> bool:
        """Whether an instant (a slot's or visit's start) satisfies this criterion."""
        if self.prefix == "eq":
            return self.low <= at < self.high
        if self.prefix == "ne":
            return not (self.low <= at < self.high)
        if self.prefix in ("gt", "sa"):
            return at >= self.high
        if self.prefix == "ge":
            return at >= self.low
        if self.prefix in ("lt", "eb"):
            return at < self.low
        return at < self.high  # le

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The smallest [low, high) holding every matching instant (None: unbounded)."""
        if self.prefix == "eq":
            return self.low, self.high
        if self.prefix in ("gt", "sa"):
            return self.high, None
        if self.prefix == "ge":
            return self.low, None
        if self.prefix in ("lt", "eb"):
            return None, self.low
        if self.prefix == "le":
            return None, self.high
        return None, None  # ne


def parse_date(value: str) -> DateRange:
    """`[prefix]YYYY[-MM[-DD[Thh:mm[:ss][zone]]]]`; times without a zone are the clinic's."""
    prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
    if value[:2] == "ap":
        raise InvalidSearch("The date prefix ap is not supported.")
    text = value[2:] if value[:2] in DATE_PREFIXES else value
    tz = timezone.get_current_timezone()
    try:
        if match := _DATE.match(text):
            year, month, day = match.groups()
            first = dt.date(int(year), int(month or 1), int(day or 1))
            if day:
                after = first + dt.timedelta(days=1)
            elif month:
                after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            else:
                after = first.replace(year=first.year + 1)
            low = dt.datetime.combine(first, dt.time(), tzinfo=tz)
            high = dt.datetime.combine(after, dt.time(), tzinfo=tz)
            return DateRange(prefix, low, high)
        if match := _DATETIME.match(text):
            y, mo, d, h, mi, s, _fraction, zone = match.groups()
            at = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            if zone is None:
                at = at.replace(tzinfo=tz)
            else:
                at = dt.datetime.fromisoformat(at.isoformat() + ("+00:00" if zone == "Z" else zone))
            step = dt.timedelta(seconds=1) if s is not None else dt.timedelta(minutes=1)
            return DateRange(prefix, at, at + step)
    except (ValueError, OverflowError):
        pass
    raise InvalidSearch(f"Not a FHIR date: {value[:40]!r} (use YYYY-MM-DD, optionally a prefix).")


def date_bounds(criteria: list[DateRange]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The intersection of the criteria's bounds (all must hold)."""
    low, high = None, None
    for criterion in criteria:
        c_low, c_high = criterion.bounds()
        if c_low is not None and (low is None or c_low > low):
            low = c_low
        if c_high is not None and (high is None or c_high < high):
            high = c_high
    return low, high
