"""Pieces the clinical mappings share: patient and doctor references, file types, narrative.

Ids follow the agreed scheme: Patient/<Patient pk>, Practitioner/<Doctor pk>,
Encounter/<Consultation pk>, Appointment/<Appointment pk>.
"""

from pathlib import PurePosixPath

from django.utils.html import escape

from clinic.fhir.mappings.common import reference

# The types clinic.core.uploads stores, by the suffix it gives them.
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def patient_ref(patient) -> dict:
    return reference("Patient", patient.pk, patient.name)


def practitioner_ref(doctor) -> dict:
    return reference("Practitioner", doctor.pk, doctor.name)


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
