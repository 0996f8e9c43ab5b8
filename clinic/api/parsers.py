"""The API's JSON parser: size and nesting are checked before anything else runs.

DRF's JSONParser reads the raw stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
(which only guards `request.body`) never applied to JSON bodies, and a body of
`[` x 3000 raised RecursionError deep in the json module: a 500 on every endpoint.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the contract nests deeper than 3; 32 leaves room and stays far
# from Python's recursion limit in everything that walks the parsed data.
MAX_JSON_DEPTH = 32


class LimitedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = _content_length(request)
        if limit is not None and declared is not None and declared > limit:
            raise RequestDataTooBig("The request body is too large.")
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("The request body is too large.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {str(exc)[:200]}") from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep.")
        return data


def _content_length(request) -> int | None:
    meta = getattr(request, "META", None) or {}
    try:
        return int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _too_deep(data, limit: int) -> bool:
    """Whether `data` nests lists/objects more than `limit` levels (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
