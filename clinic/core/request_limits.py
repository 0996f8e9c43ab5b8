"""The request body's size is checked before anything reads it."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

API_PREFIX = "/cms-api/"
FHIR_PREFIX = "/fhir/"


def fhir_outcome(message: str, *, status: int, code: str) -> HttpResponse:
    """A FHIR OperationOutcome (clinic.fhir's error shape, built here: core imports no
    interface app)."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    return JsonResponse(body, status=status, content_type="application/fhir+json; charset=utf-8")


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is over MAX_REQUEST_BYTES with a 413, unread.

    Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded
    files to disk whatever their size; the largest accepted upload plus a little
    form data bounds every request instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            message = "The request body is too large."
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"ERR": message}, status=413)
            if request.path.startswith(FHIR_PREFIX):
                return fhir_outcome(message, status=413, code="too-costly")
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)
