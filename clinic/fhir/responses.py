"""FHIR's JSON media type, OperationOutcome bodies, and responses outside DRF."""

import json

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"
# What a client may ask for and still get FHIR JSON: FHIR's own name, its pre-R4
# spelling, plain JSON and wildcards.
JSON_MEDIA_TYPES = frozenset(
    {FHIR_JSON, "application/json+fhir", "application/json", "*/*", "application/*"}
)
JSON_FORMATS = frozenset({"json", *JSON_MEDIA_TYPES})
MAX_DIAGNOSTICS_CHARS = 500


def operation_outcome(message: str, *, code: str = "processing", severity: str = "error") -> dict:
    """An OperationOutcome with one issue; `code` is from FHIR's IssueType value set."""
    if len(message) > MAX_DIAGNOSTICS_CHARS:
        message = message[: MAX_DIAGNOSTICS_CHARS - 1] + "…"
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def fhir_http_response(body: dict, *, status: int = 200, headers=None) -> HttpResponse:
    """A FHIR JSON response from a plain Django view (no content negotiation)."""
    response = HttpResponse(
        json.dumps(body), status=status, content_type=f"{FHIR_JSON}; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(message: str, *, status: int, code: str, headers=None) -> HttpResponse:
    return fhir_http_response(operation_outcome(message, code=code), status=status, headers=headers)
