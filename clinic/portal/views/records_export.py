""""Download my records": the patient's FHIR `$everything` Bundle as a file.

The same Bundle that `GET /fhir/Patient/<id>/$everything` answers (clinic.fhir.everything),
for the login's own record, logged in the access log like any FHIR read.
"""

import json

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from clinic.core import clock
from clinic.core.downloads import ATTACHMENT_CSP, PRIVATE_HEADERS
from clinic.fhir.everything import everything_bundle
from clinic.portal.decorators import patient_required

FHIR_JSON = "application/fhir+json"


@require_GET
@patient_required
def records_download(request):
    patient = request.own_patient
    bundle = everything_bundle(request, str(patient.pk))
    response = HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=FHIR_JSON)
    name = f"health-record-{patient.record_number or patient.pk}-{clock.today():%Y-%m-%d}.json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    return response
