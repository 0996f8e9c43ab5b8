"""DiagnosticReport <- labs.LabReport, once a doctor released it (docs/records.md).

An ordered or resulted report is not a DiagnosticReport yet: the lab's file is
not a result until a doctor reviewed it. The result is the report's file, a
short-lived signed download URL as /cms-api/reports/ gives (clinic.core.downloads).
"""

from pathlib import PurePosixPath

from clinic.core.downloads import file_url
from clinic.fhir import clinical, clinical_search
from clinic.fhir.mappings.clinical_common import content_type_of, patient_ref, practitioner_ref
from clinic.fhir.mappings.common import instant, meta
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import require_modifier, token_parts
from clinic.labs.models import LabReport, LabStatus


def to_fhir(report: LabReport, *, request) -> dict:
    """A released (or, for staff, released then entered in error) report, with its
    patient, doctor and releasing doctor loaded."""
    resource = {
        "resourceType": "DiagnosticReport",
        "id": str(report.pk),
        "meta": meta(report),
        "status": "entered-in-error" if report.status == LabStatus.ENTERED_IN_ERROR else "final",
        "code": {"text": report.test},
        "subject": patient_ref(report.patient),
        "effectiveDateTime": report.date.isoformat(),
    }
    if report.released_at:
        resource["issued"] = instant(report.released_at)
    if report.released_by_id:
        resource["resultsInterpreter"] = [practitioner_ref(report.released_by)]
    if report.file:
        resource["presentedForm"] = [report_attachment(report, request=request)]
    return resource


def report_attachment(report: LabReport, *, request) -> dict:
    """The report's file as an Attachment: type, name and a signed URL for the caller."""
    title = report.original_name or PurePosixPath(report.file.name).name
    attachment = {
        "contentType": content_type_of(report.file.name),
        "url": file_url(report.file, user=request.user, filename=title, request=request),
        "title": title,
    }
    if report.released_at:
        attachment["creation"] = instant(report.released_at)
    return attachment


_STATUS_SYSTEM = "http://hl7.org/fhir/diagnostic-report-status"
_STATUSES = {"final": LabStatus.RELEASED, "entered-in-error": LabStatus.ENTERED_IN_ERROR}


def _by_status(rows, criterion, request):
    require_modifier(criterion)
    wanted = []
    for value in criterion.values:
        system, code = token_parts(value)
        if system in (None, _STATUS_SYSTEM) and code in _STATUSES:
            wanted.append(_STATUSES[code])
    return rows.filter(status__in=wanted)


RESOURCE = ModelResource(
    name="DiagnosticReport",
    to_fhir=to_fhir,
    queryset=clinical_search.scoped_queryset(clinical.diagnostic_reports),
    patient_ids=lambda rows: [row.patient_id for row in rows],
    ordering=("-date", "-pk"),
    params={
        "patient": SearchParam(
            "reference", clinical_search.by_reference("patient_id", "Patient"), "The patient."
        ),
        "status": SearchParam(
            "token", _by_status, "final (released), or entered-in-error (staff only)."
        ),
    },
)
