"""Every error under /fhir/ is an OperationOutcome with a 4xx status (never HTML).

Views raise domain errors (clinic.core.errors), DRF's or FhirError; the handler
here maps them all, as clinic.api.exception_handler does for /cms-api/.
"""

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from clinic.core import errors
from clinic.fhir.responses import operation_outcome

logger = logging.getLogger(__name__)


class FhirError(Exception):
    """A refusal with its HTTP status and FHIR IssueType code."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status or self.status
        self.code = code or self.code


class InvalidSearch(FhirError):
    """A search parameter the server knows, with a value or modifier it cannot use."""

    status, code = 400, "invalid"


class ResourceNotFound(FhirError):
    status, code = 404, "not-found"


class Unprocessable(FhirError):
    """A well-formed resource the server will not act on (FHIR's 422)."""

    status, code = 422, "business-rule"


# Most specific first: PayloadTooLarge and UnsupportedMedia are InvalidInput too.
_DOMAIN = (
    (errors.PayloadTooLarge, 413, "too-costly"),
    (errors.UnsupportedMedia, 415, "not-supported"),
    (errors.InvalidInput, 400, "invalid"),
    (errors.NotFound, 404, "not-found"),
    (errors.Forbidden, 403, "forbidden"),
    (errors.Conflict, 409, "conflict"),
    (errors.Throttled, 429, "throttled"),
    (errors.ApplicationError, 400, "business-rule"),
)

_DRF = (
    (exceptions.NotAuthenticated, "login"),
    (exceptions.AuthenticationFailed, "login"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "not-supported"),
    (exceptions.NotAcceptable, "not-supported"),
    (exceptions.UnsupportedMediaType, "not-supported"),
    (exceptions.ParseError, "structure"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ValidationError, "invalid"),
)


def outcome(message: str, status: int, code: str, headers=None) -> Response:
    return Response(operation_outcome(message, code=code), status=status, headers=headers)


def exception_handler(exc, context):
    """DRF's exception handler for the FHIR views: an OperationOutcome for anything."""
    if isinstance(exc, FhirError):
        return outcome(exc.message, exc.status, exc.code)
    if isinstance(exc, errors.ApplicationError):
        status, code = next((s, c) for cls, s, c in _DOMAIN if isinstance(exc, cls))
        headers = None
        if isinstance(exc, errors.Throttled):
            headers = {"Retry-After": str(max(1, int(exc.retry_after)))}
        return outcome(exc.message, status, code, headers)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return outcome("The request body is too large.", 413, "too-costly")
    if isinstance(exc, Http404):
        return outcome(str(exc) or "Not found.", 404, "not-found")
    if isinstance(exc, PermissionDenied):
        return outcome(str(exc) or "You may not do this.", 403, "forbidden")
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF if isinstance(exc, cls)), "processing")
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Token realm="fhir"'
        if isinstance(exc, exceptions.Throttled):
            headers["Retry-After"] = str(int(exc.wait or 1))
        if isinstance(exc, exceptions.MethodNotAllowed) and context.get("view") is not None:
            headers["Allow"] = ", ".join(context["view"].allowed_methods)
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return outcome(message, exc.status_code, code, headers)
    # A bug: logged with its traceback, answered in FHIR's shape rather than HTML.
    logger.exception("FHIR request failed", exc_info=exc)
    return outcome("The server could not process this request.", 500, "exception")
