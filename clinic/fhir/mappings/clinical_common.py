"""Pieces the clinical mappings share: references, dates and file types.

Ids follow the agreed scheme: Patient/<Patient pk>, Practitioner/<Doctor pk>,
Encounter/<Consultation pk>, Appointment/<Appointment pk>.
"""

import datetime as dt
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.html import escape

# The types clinic.core.uploads stores, by the suffix it gives them.
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def reference(resource_type: str, pk, display: str | None = None) -> dict:
    ref = {"reference": f"{resource_type}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def patient_ref(patient) -> dict:
    return reference("Patient", patient.pk, patient.name)


def practitioner_ref(doctor) -> dict:
    return reference("Practitioner", doctor.pk, doctor.name)


def instant(value: dt.datetime) -> str:
    """A FHIR instant: seconds precision with the offset (UTC)."""
    return timezone.localtime(value, dt.UTC).isoformat(timespec="seconds")


def meta(updated_at: dt.datetime | None) -> dict:
    return {"lastUpdated": instant(updated_at)} if updated_at else {}


def content_type_of(file_name: str) -> str:
    return _CONTENT_TYPES.get(PurePosixPath(file_name).suffix.lower(), "application/octet-stream")


def narrative(rows: list[tuple[str, str]]) -> dict:
    """A generated Narrative listing `rows` (label, text), empty texts left out."""
    items = "".join(
        f"<p><b>{escape(label)}</b>: {escape(text)}</p>" for label, text in rows if text
    )
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{items}</div>',
    }
