"""Small pieces every mapping shares: references, instants, meta, the request's memo."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

# Identifier and code systems of this clinic (stable URNs: they name, not locate).
RECORD_NUMBER_SYSTEM = "urn:cms:patient-record-number"
SPECIALTY_SYSTEM = "urn:cms:specialty"


def reference(type_name: str, pk, display: str | None = None) -> dict:
    ref = {"reference": f"{type_name}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def instant(at: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """An aware datetime in the clinic's zone as FHIR's dateTime/instant (seconds).
    `zone`: the clinic's zone, when the caller holds it (RequestMemo.zone)."""
    return timezone.localtime(at, zone).isoformat(timespec="seconds")


def meta(obj, zone: dt.tzinfo | None = None) -> dict:
    """meta.lastUpdated from a BaseModel's updated_at, when the row has one."""
    updated = getattr(obj, "updated_at", None)
    return {"lastUpdated": instant(updated, zone)} if updated else {}


@dataclass
class RequestMemo:
    """What each row of a search would otherwise look up again, once per request.

    Looking up the current time zone costs more than formatting an instant in it (an
    asgiref Local), and each read of a doctor's week is a cache read: once per row,
    they were half the cost of mapping a page of Appointments (docs/benchmarks.md).
    """

    zone: dt.tzinfo = field(default_factory=timezone.get_current_timezone)
    # clinic.doctors.cache.doctor_week's memo: doctor id → DoctorWeek.
    doctor_weeks: dict = field(default_factory=dict)


def request_memo(request) -> RequestMemo:
    """The request's RequestMemo, made on first use; it goes with the request."""
    memo = request.__dict__.get("_fhir_memo")
    if memo is None:
        memo = request._fhir_memo = RequestMemo()
    return memo
