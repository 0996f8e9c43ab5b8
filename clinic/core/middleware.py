"""Answers for when a shared store is briefly gone."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.template.response import TemplateResponse

from clinic.core.request_limits import FHIR_PREFIX, fhir_outcome

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A request that lost the database (a restart, a failover) answers 503 with
    Retry-After instead of 500: the request changed nothing, and trying again soon is
    right. The worker's connection is then discarded by Django at the end of the
    request, so the next request reconnects without a restart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s", request.method, request.path)
        if request.path.startswith(FHIR_PREFIX):
            response = fhir_outcome(
                "The clinic's database is briefly unavailable. Try again shortly.",
                status=503,
                code="transient",
            )
        elif request.path.startswith("/cms-api/"):
            response = JsonResponse(
                {"ERR": "The clinic's database is briefly unavailable. Try again shortly."},
                status=503,
            )
        else:
            response = TemplateResponse(request, "503.html", status=503)
            response.render()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
