"""`Patient/<id>/$everything` and the portal's "Download my records": one Bundle with
the patient and every resource of their compartment that the caller may read.

The types are the registry's: each with a `patient` search parameter and patient
data (a ModelResource with `patient_ids`, or a type with its own `compartment`).
A staff role without access to a type gets the others (FHIR's $everything returns
what the caller is allowed to see). Not paged: the export is one file. The read is
logged once, for the patient, in the access log (clinic.audit).
"""

from clinic.audit.services import log_record_access
from clinic.core.errors import Forbidden
from clinic.fhir.bundles import base_url
from clinic.fhir.errors import ResourceNotFound
from clinic.fhir.registry import ModelResource, resource_type, resource_types
from clinic.fhir.search import Criterion, int_id

OPERATION = "everything"
DEFINITION = "http://hl7.org/fhir/OperationDefinition/Patient-everything"


def everything_bundle(request, patient_id: str) -> dict:
    """The Bundle, or ResourceNotFound for a patient the caller may not read (404,
    as for one that does not exist)."""
    patients = resource_type("Patient")
    pk = int_id(patient_id)
    patient = patients.queryset(request).filter(pk=pk).first() if pk is not None else None
    if patient is None:
        raise ResourceNotFound(f"Patient/{patient_id} is not known.")
    resources = [patients.to_fhir(patient, request=request)]
    criterion = Criterion(name="patient", modifier=None, values=(f"Patient/{patient.pk}",))
    for name, kind in resource_types().items():
        if name != "Patient" and "patient" in kind.params:
            try:
                resources += _compartment(kind, request, criterion)
            except Forbidden:
                continue
    log_record_access(request=request, patients=patient, via="fhir")
    base = base_url(request)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": f"{base}/Patient/{patient.pk}/${OPERATION}"}],
        "entry": [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }


def _compartment(kind, request, criterion) -> list[dict]:
    if isinstance(kind, ModelResource):
        if kind.patient_ids is None:
            return []  # the clinic's directory, not the patient's data
        rows = kind.params["patient"].filter(kind.queryset(request), criterion, request)
        return [kind.to_fhir(row, request=request) for row in rows.order_by(*kind.ordering)]
    compartment = getattr(kind, "compartment", None)
    return compartment(request, criterion) if compartment else []
