"""One error shape for the whole API: {"ERR": "<message>"} (+ "FIELDS") with a real status.

Domain errors (clinic.core.errors) and DRF/Django errors are mapped here, so a
view never builds an error response itself and bad input never becomes a 500.
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from clinic.core import errors

# Most specific first: PayloadTooLarge and UnsupportedMedia are InvalidInput too.
_DOMAIN_STATUS = (
    (errors.PayloadTooLarge, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    (errors.UnsupportedMedia, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    (errors.InvalidInput, status.HTTP_400_BAD_REQUEST),
    (errors.NotFound, status.HTTP_404_NOT_FOUND),
    (errors.Forbidden, status.HTTP_403_FORBIDDEN),
    (errors.Conflict, status.HTTP_409_CONFLICT),
    (errors.Throttled, status.HTTP_429_TOO_MANY_REQUESTS),
    (errors.ApplicationError, status.HTTP_400_BAD_REQUEST),
)


# Error bodies stay small whatever came in: a few fields, a few short messages each.
# (Messages may quote the input, e.g. DRF's '"x" is not a valid choice.')
MAX_ERROR_FIELDS = 20
MAX_FIELD_MESSAGES = 5
MAX_MESSAGE_CHARS = 300


def error_response(message: str, code: int, *, fields=None, headers=None) -> Response:
    body = {"ERR": _short(message)}
    if fields:
        body["FIELDS"] = {
            _short(str(name)): [_short(m) for m in messages[:MAX_FIELD_MESSAGES]]
            for name, messages in list(fields.items())[:MAX_ERROR_FIELDS]
        }
    return Response(body, status=code, headers=headers)


def _short(message) -> str:
    message = str(message)
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def exception_handler(exc, context):
    if isinstance(exc, errors.ApplicationError):
        return _domain_error(exc)
    if isinstance(exc, RequestDataTooBig):
        return error_response("The request body is too large.", 413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return error_response("The request has too many fields or files.", 413)
    if isinstance(exc, Http404):
        return error_response(_text(exc, "Not found."), 404)
    if isinstance(exc, PermissionDenied):
        return error_response(_text(exc, "You may not do this."), 403)
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        message = _first_message(fields)
        if "" in fields:
            fields["non_field_errors"] = fields.pop("")
        return error_response(message, 400, fields=fields)
    if isinstance(exc, exceptions.ParseError):
        return error_response(f"Malformed request body: {exc.detail}", 400)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return error_response(
            f"Too many requests. Try again in {wait} seconds.", 429,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            # DRF sets WWW-Authenticate on the response it would build; keep it.
            headers["WWW-Authenticate"] = 'Token realm="api"'
        return error_response(str(exc.detail), exc.status_code, headers=headers)
    return None


def _domain_error(exc: errors.ApplicationError) -> Response:
    code = next(code for cls, code in _DOMAIN_STATUS if isinstance(exc, cls))
    headers = None
    if isinstance(exc, errors.Throttled):
        headers = {"Retry-After": str(max(1, int(exc.retry_after)))}
    fields = getattr(exc, "fields", None) or None
    return error_response(exc.message, code, fields=fields, headers=headers)


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"user.email": ["message", ...]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = prefix if key in ("non_field_errors", "__all__") else _join(prefix, key)
            for field, messages in flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
        return out
    if isinstance(detail, list):
        if detail and all(isinstance(item, dict | list) for item in detail):
            out = {}
            for index, item in enumerate(detail):
                for field, messages in flatten(item, _join(prefix, str(index))).items():
                    out.setdefault(field, []).extend(messages)
            return out
        return {prefix: [str(item) for item in detail if not isinstance(item, dict | list)]}
    return {prefix: [str(detail)]}


def _join(prefix: str, key) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _first_message(fields: dict[str, list[str]]) -> str:
    for field, messages in fields.items():
        if messages:
            return f"{field}: {messages[0]}" if field else messages[0]
    return "Invalid input."


def _text(exc, default: str) -> str:
    return str(exc) or default
