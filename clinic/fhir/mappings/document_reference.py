"""DocumentReference <- a released lab report's file, or a consultation's prescription PDF.

Two kinds of document share the type, so the id names the kind: `lab-<LabReport
pk>` and `prescription-<Consultation pk>`. Each attachment is a short-lived
signed download URL for the caller, as /cms-api/ gives (clinic.core.downloads,
clinic.records.downloads). A prescription is offered for a consultation with at
least one line standing.
"""

from clinic.fhir.mappings.clinical_common import (
    instant,
    meta,
    patient_ref,
    practitioner_ref,
    reference,
)
from clinic.fhir.mappings.diagnostic_report import report_attachment
from clinic.labs.models import LabReport, LabStatus
from clinic.records.downloads import filename_for, prescription_url
from clinic.records.models import Consultation

LAB_PREFIX = "lab-"
PRESCRIPTION_PREFIX = "prescription-"
_LOINC = "http://loinc.org"
_LAB_TYPE = {"coding": [{"system": _LOINC, "code": "11502-2", "display": "Laboratory report"}]}
_PRESCRIPTION_TYPE = {
    "coding": [{"system": _LOINC, "code": "57833-6", "display": "Prescription for medication"}]
}


def document_id(record: LabReport | Consultation) -> str:
    prefix = LAB_PREFIX if isinstance(record, LabReport) else PRESCRIPTION_PREFIX
    return f"{prefix}{record.pk}"


def parse_id(value: str) -> tuple[str, int] | None:
    """("lab", pk) or ("prescription", pk) from a DocumentReference id; None if malformed."""
    for prefix in (LAB_PREFIX, PRESCRIPTION_PREFIX):
        digits = value.removeprefix(prefix)
        if digits != value and digits.isascii() and digits.isdigit() and len(digits) < 10:
            return prefix[:-1], int(digits)
    return None


def to_fhir(record: LabReport | Consultation, *, request) -> dict:
    if isinstance(record, LabReport):
        return _lab_document(record, request=request)
    return _prescription_document(record, request=request)


def _lab_document(report: LabReport, *, request) -> dict:
    resource = {
        "resourceType": "DocumentReference",
        "id": document_id(report),
        "meta": meta(report.updated_at),
        "status": "entered-in-error" if report.status == LabStatus.ENTERED_IN_ERROR else "current",
        "type": _LAB_TYPE,
        "subject": patient_ref(report.patient),
        "content": [{"attachment": report_attachment(report, request=request)}],
        "context": {
            "period": {"start": report.date.isoformat()},
            "related": [reference("DiagnosticReport", report.pk)],
        },
    }
    if report.released_at:
        resource["date"] = instant(report.released_at)
    if report.released_by_id:
        resource["authenticator"] = practitioner_ref(report.released_by)
    return resource


def _prescription_document(consultation: Consultation, *, request) -> dict:
    url = prescription_url(consultation=consultation, user=request.user, request=request)
    return {
        "resourceType": "DocumentReference",
        "id": document_id(consultation),
        "meta": meta(consultation.updated_at),
        "status": "entered-in-error" if consultation.is_entered_in_error else "current",
        "type": _PRESCRIPTION_TYPE,
        "subject": patient_ref(consultation.patient),
        "author": [practitioner_ref(consultation.doctor)],
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": url,
                    "title": filename_for(consultation),
                    "creation": consultation.date.isoformat(),
                }
            }
        ],
        "context": {
            "encounter": [reference("Encounter", consultation.pk)],
            "period": {"start": consultation.date.isoformat()},
        },
    }
