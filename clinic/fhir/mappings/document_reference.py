"""DocumentReference <- a released lab report's file, or a consultation's prescription PDF.

Two kinds of document share the type, so the id names the kind: `lab-<LabReport
pk>` and `prescription-<Consultation pk>`. Each attachment is a short-lived
signed download URL for the caller, as /cms-api/ gives (clinic.core.downloads,
clinic.records.downloads). A prescription is offered for a consultation with at
least one line standing.
"""

from dataclasses import dataclass

from clinic.audit.services import log_record_access
from clinic.fhir import clinical, clinical_search
from clinic.fhir.errors import ResourceNotFound
from clinic.fhir.mappings.clinical_common import patient_ref, practitioner_ref
from clinic.fhir.mappings.common import instant, meta, reference
from clinic.fhir.mappings.diagnostic_report import report_attachment
from clinic.fhir.registry import Page, ResourceType, SearchParam
from clinic.fhir.search import Criterion, Query, require_modifier
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
        "meta": meta(report),
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
        "meta": meta(consultation),
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


@dataclass(eq=False)
class DocumentResource(ResourceType):
    """Two tables behind one type: ids are parsed by kind, pages merge both."""

    def read(self, request, resource_id: str) -> dict:
        parsed = parse_id(resource_id)
        row = None
        if parsed is not None:
            kind, pk = parsed
            labs, prescribed = _scoped(request)
            row = (labs if kind == "lab" else prescribed).filter(pk=pk).first()
        if row is None:
            raise ResourceNotFound(f"DocumentReference/{resource_id} is not known.")
        _log(request, [row])
        return to_fhir(row, request=request)

    def search(self, request, query: Query) -> Page:
        labs, prescribed = _filtered(request, query.criteria)
        rows, total = clinical.documents(
            lab_reports=labs, prescriptions=prescribed, offset=query.offset, count=query.count
        )
        _log(request, rows)
        return Page([to_fhir(row, request=request) for row in rows], total)

    def compartment(self, request, criterion: Criterion) -> list[dict]:
        """Every document a `patient` criterion selects, unlogged ($everything logs once)."""
        labs, prescribed = _filtered(request, (criterion,))
        rows, _ = clinical.documents(lab_reports=labs, prescriptions=prescribed)
        return [to_fhir(row, request=request) for row in rows]


def _scoped(request):
    shown = clinical_search.shows_entered_in_error(request)
    labs = clinical.diagnostic_reports(patient_ids=None, entered_in_error=shown)
    prescribed = clinical.prescriptions(patient_ids=None, entered_in_error=shown)
    return clinical_search.scope(request, labs), clinical_search.scope(request, prescribed)


def _filtered(request, criteria):
    labs, prescribed = _scoped(request)
    for criterion in criteria:
        require_modifier(criterion, (None, "Patient") if criterion.name == "patient" else (None,))
        if criterion.name == "patient":
            ids = clinical_search.referenced_ids(criterion, "Patient")
            labs = labs.filter(patient_id__in=ids)
            prescribed = prescribed.filter(patient_id__in=ids)
        elif criterion.name == "_id":
            wanted = [parsed for parsed in map(parse_id, criterion.values) if parsed]
            labs = labs.filter(pk__in=[pk for kind, pk in wanted if kind == "lab"])
            prescribed = prescribed.filter(pk__in=[pk for kind, pk in wanted if kind != "lab"])
    return labs, prescribed


def _log(request, rows) -> None:
    if rows:
        log_record_access(request=request, patients=[row.patient_id for row in rows], via="fhir")


RESOURCE = DocumentResource(
    name="DocumentReference",
    params={
        "_id": SearchParam("token", None, "The resource's id (lab-<n> or prescription-<n>)."),
        "patient": SearchParam("reference", None, "The patient."),
    },
)
