"""`limit` and `offset` on the list endpoints, with the whole count in `X-Total-Count`.

Without `limit` and `offset` a list answers in full, as the seed's did (and still
says its length in the header). With either, it answers that page of the same,
ordered list: one COUNT more, whatever the size of the list.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

MAX_LIMIT = 100
TOTAL_HEADER = "X-Total-Count"


class PageInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False)
    offset = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


class Page:
    """The rows of one page of `queryset` and the whole count, for the response header."""

    def __init__(self, queryset, params: dict):
        limit, offset = params.get("limit"), params.get("offset")
        self.paged = limit is not None or offset is not None
        if not self.paged:
            self.queryset = queryset
            self.total = None
            return
        offset = offset or 0
        self.total = queryset.count()
        end = offset + limit if limit is not None else None
        self.queryset = queryset[offset:end]

    def headers(self, rows: list) -> dict:
        total = self.total if self.paged else len(rows)
        return {TOTAL_HEADER: str(total)}


PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description=f"Answer at most this many rows (1-{MAX_LIMIT}); the whole list without it.",
    ),
    OpenApiParameter(
        "offset",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description="Skip this many rows of the list first (default 0).",
    ),
    OpenApiParameter(
        TOTAL_HEADER,
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[200],
        description="How many rows the whole list holds.",
    ),
]
