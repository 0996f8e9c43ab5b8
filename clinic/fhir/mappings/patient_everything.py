"""`GET /fhir/Patient/<id>/$everything`, registered on the Patient type
(clinic.fhir.everything builds the Bundle; the portal's download uses it too)."""

from rest_framework.response import Response

from clinic.fhir.everything import DEFINITION, OPERATION, everything_bundle
from clinic.fhir.registry import instance_operation


@instance_operation("Patient", OPERATION, definition=DEFINITION)
def patient_everything(request, resource_id: str) -> Response:
    return Response(everything_bundle(request, resource_id))
