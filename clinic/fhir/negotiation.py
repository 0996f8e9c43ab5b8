"""FHIR JSON in and out: the renderer, the parsers and content negotiation."""

from rest_framework import parsers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

from clinic.api.parsers import LimitedJSONParser
from clinic.api.renderers import OrjsonRenderer
from clinic.fhir.responses import FHIR_JSON, JSON_FORMATS, JSON_MEDIA_TYPES

JSON_PATCH = "application/json-patch+json"


class FhirJsonRenderer(OrjsonRenderer):
    """The API's orjson renderer (byte for byte DRF's JSON), as FHIR's media type: a
    page of 50 Appointments renders in a third of the time."""

    media_type = FHIR_JSON
    format = "json"
    charset = "utf-8"


class FhirJsonParser(LimitedJSONParser):
    media_type = FHIR_JSON


class LegacyFhirJsonParser(LimitedJSONParser):
    media_type = "application/json+fhir"


class JsonPatchParser(LimitedJSONParser):
    media_type = JSON_PATCH


RESOURCE_PARSERS = [FhirJsonParser, LegacyFhirJsonParser, LimitedJSONParser]
SEARCH_PARSERS = [parsers.FormParser]


class FhirContentNegotiation(DefaultContentNegotiation):
    """Everything is answered as FHIR JSON, when the client accepts JSON at all.

    `_format` (FHIR's override of Accept) and `Accept` may name FHIR JSON, plain
    JSON or a wildcard; anything else (FHIR XML, Turtle) is a 406, since only JSON
    is served. No Accept header means anything goes."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        requested = request.query_params.get("_format")
        if requested is not None:
            if requested.strip().lower() not in JSON_FORMATS:
                raise NotAcceptable("Only JSON is served (_format=json).")
            return renderer, renderer.media_type
        accept = request.META.get("HTTP_ACCEPT", "").strip()
        if not accept:
            return renderer, renderer.media_type
        for item in accept.split(","):
            media = item.split(";")[0].strip().lower()
            if media in JSON_MEDIA_TYPES or media.endswith("+json"):
                return renderer, renderer.media_type
        raise NotAcceptable("Only FHIR JSON (application/fhir+json) is served.")
