"""The CapabilityStatement at /fhir/metadata, generated from the registry: it lists
exactly the types, interactions, search parameters and operations served."""

from django.conf import settings

from clinic.fhir.bundles import base_url
from clinic.fhir.negotiation import JSON_PATCH
from clinic.fhir.registry import operations_of, resource_types
from clinic.fhir.responses import FHIR_JSON

FHIR_VERSION = "4.0.1"
# The date this statement's shape last changed (FHIR wants one; it is not "now").
STATEMENT_DATE = "2026-12-06"


def capability_statement(request) -> dict:
    resources = []
    for name, resource in resource_types().items():
        entry = {
            "type": name,
            "interaction": [{"code": code} for code in resource.interactions],
            "searchParam": [
                {"name": param, "type": spec.type, "documentation": spec.documentation}
                if spec.documentation
                else {"name": param, "type": spec.type}
                for param, spec in resource.params.items()
            ],
        }
        if operations := operations_of(name):
            entry["operation"] = [
                {"name": op, "definition": found.definition} for op, found in operations.items()
            ]
        resources.append(entry)
    clinic = settings.CLINIC["NAME"]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": clinic,
        "kind": "instance",
        "software": {"name": "CMS"},
        "implementation": {"description": f"{clinic}: FHIR R4", "url": base_url(request)},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "patchFormat": [JSON_PATCH],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": (
                        "Authorization: Token <token> (from /cms-api/login/) or the portal's"
                        " session. Patients read their own compartment and the clinic's"
                        " directory; staff read by their role."
                    )
                },
                "resource": resources,
            }
        ],
    }
