"""DiagnosticReport <- labs.LabReport, once a doctor released it (docs/records.md).

An ordered or resulted report is not a DiagnosticReport yet: the lab's file is
not a result until a doctor reviewed it. The result is the report's file, a
short-lived signed download URL as /cms-api/reports/ gives (clinic.core.downloads).
"""

from pathlib import PurePosixPath

from clinic.core.downloads import file_url
from clinic.fhir.mappings.clinical_common import (
    content_type_of,
    instant,
    meta,
    patient_ref,
    practitioner_ref,
)
from clinic.labs.models import LabReport, LabStatus


def to_fhir(report: LabReport, *, request) -> dict:
    """A released (or, for staff, released then entered in error) report, with its
    patient, doctor and releasing doctor loaded."""
    resource = {
        "resourceType": "DiagnosticReport",
        "id": str(report.pk),
        "meta": meta(report.updated_at),
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
