"""Small pieces every mapping shares: references, instants, meta."""

import datetime as dt

from django.utils import timezone

# Identifier and code systems of this clinic (stable URNs: they name, not locate).
RECORD_NUMBER_SYSTEM = "urn:cms:patient-record-number"
SPECIALTY_SYSTEM = "urn:cms:specialty"


def reference(type_name: str, pk, display: str | None = None) -> dict:
    ref = {"reference": f"{type_name}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def instant(at: dt.datetime) -> str:
    """An aware datetime in the clinic's zone as FHIR's dateTime/instant (seconds)."""
    return timezone.localtime(at).isoformat(timespec="seconds")


def meta(obj) -> dict:
    """meta.lastUpdated from a BaseModel's updated_at, when the row has one."""
    updated = getattr(obj, "updated_at", None)
    return {"lastUpdated": instant(updated)} if updated else {}
