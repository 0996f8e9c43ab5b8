"""Safe retries: an `Idempotency-Key` header makes a POST answer the same way twice.

`@idempotent` wraps an APIView handler. Without the header it runs as usual.
With it (1-255 printable ASCII characters, else 400), the first request of an
account with that key runs inside one transaction together with the insert of
its IdempotencyRecord, and the answer is stored with it. A retry by the same
account with the same key and the same method, path and body gets the stored
status and body back and changes nothing; the same key with anything else is a
409. Because the record and the request's own writes commit together, a request
killed half-way leaves neither, and its retry simply runs. Answers that say
"try again" (429 and any 5xx) are not kept. Keys are kept for
IDEMPOTENCY_KEY_TTL_HOURS (24); `manage.py prune_idempotency_keys` deletes
older ones, and an expired key is free to be used again.
"""

import datetime as dt
import functools
import hashlib
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from clinic.api.models import IdempotencyRecord
from clinic.core.errors import Conflict, InvalidInput

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")
REPLAYED_HEADER = "Idempotent-Replayed"

OPENAPI_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    description=(
        "Optional. 1-255 printable ASCII characters chosen by the client, e.g. a UUID. "
        "A retry by the same account with the same key and body answers exactly as the "
        "first request did and changes nothing more; the same key with a different body "
        "answers 409. Keys are kept for 24 hours."
    ),
)


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def idempotent(handler):
    """Make an APIView handler (e.g. `post`) honour the Idempotency-Key header."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise InvalidInput(f"{HEADER}: Use 1 to 255 printable ASCII characters.", field=HEADER)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record = _claim(user=request.user, key=key, fingerprint=fingerprint)
            if record.response_status is not None:
                return _replay(record, fingerprint=fingerprint)
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # DRF's own mapping, so the answer can be stored
                response = view.handle_exception(exc)
            if response.status_code == 429 or response.status_code >= 500:
                transaction.set_rollback(True)  # a transient answer: let the retry run
                return response
            record.response_status = response.status_code
            record.response_body = response.data
            record.save(update_fields=["response_status", "response_body"])
            return response

    wrapper.idempotent = True
    return wrapper


def _claim(*, user, key: str, fingerprint: str) -> IdempotencyRecord:
    """A new, unanswered record of ours, or the stored one (answered) for this key.

    Runs inside the request's transaction. A concurrent first request with the same
    key holds its row until it commits; the insert below waits for it and then fails.
    """
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # deleted (pruned) in between: claim it afresh
            if existing.created_at < timezone.now() - ttl():
                existing.delete()  # expired: the key is free again
                continue
            return existing
    raise Conflict(f"{HEADER}: This key is in use by another request; retry.")


def _replay(record: IdempotencyRecord, *, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(
            f"{HEADER}: This key was already used with a different request. "
            "Use a new key for a new request."
        )
    return Response(
        record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"}
    )


def _fingerprint(request) -> str:
    data = request.data
    if isinstance(data, QueryDict):
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": data},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def prune(*, now=None) -> int:
    """Delete the records older than the TTL; returns how many."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
