"""The request's input as one dict: the body, plus query parameters on GET and DELETE.

The contract: many HTTP clients cannot send a body with GET (or DELETE), so the
same keys work as query parameters; an empty body, no body and {} are the same.
"""

from django.http import QueryDict
from rest_framework import serializers

# Methods whose keys may come in the query string.
_QUERY_METHODS = {"GET", "HEAD", "DELETE"}


def request_input(request):
    body = request.data
    if body is None or body == "":
        body = {}
    if isinstance(body, QueryDict):  # multipart: serializers read QueryDicts natively
        return body
    if not isinstance(body, dict):
        raise serializers.ValidationError(
            {"non_field_errors": ["The body must be a JSON object."]}
        )
    if request.method not in _QUERY_METHODS or not request.query_params:
        return body
    merged = {
        key: values if len(values) > 1 else values[0]
        for key, values in request.query_params.lists()
        if key != "format"
    }
    merged.update(body)
    return merged


def parse_input(request, serializer_class, **kwargs) -> dict:
    """Validate the request's input with `serializer_class`; errors become 400s."""
    serializer = serializer_class(data=request_input(request), **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
