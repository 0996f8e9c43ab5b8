"""The FHIR REST interactions: read, search (GET and POST _search), create,
update, patch and instance operations, all dispatched by resource type through
clinic.fhir.registry. Thin: the registry's types do the work."""

from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import MethodNotAllowed, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from clinic.core.errors import Forbidden
from clinic.fhir import errors
from clinic.fhir.bundles import base_url, searchset
from clinic.fhir.capability import capability_statement
from clinic.fhir.errors import ResourceNotFound
from clinic.fhir.negotiation import (
    RESOURCE_PARSERS,
    SEARCH_PARSERS,
    FhirContentNegotiation,
    FhirJsonRenderer,
    JsonPatchParser,
)
from clinic.fhir.registry import operations_of, resource_type
from clinic.fhir.responses import outcome_response
from clinic.fhir.search import parse_query
from clinic.smart.authentication import SmartOAuth2Authentication, token_scopes
from clinic.smart.scopes import READ, WRITE, scope_allows


class FhirView(APIView):
    """Credentials as /cms-api/ (DRF's defaults: tokens and the portal's session) and a
    SMART app's bearer token, within its scopes; FHIR JSON only; every error an
    OperationOutcome."""

    authentication_classes = [
        *api_settings.DEFAULT_AUTHENTICATION_CLASSES, SmartOAuth2Authentication,
    ]

    renderer_classes = [FhirJsonRenderer]
    parser_classes = RESOURCE_PARSERS
    content_negotiation_class = FhirContentNegotiation
    metadata_class = None  # OPTIONS is a 405, not DRF's own JSON description
    # Not part of /cms-api/'s OpenAPI schema: FHIR's own description is /fhir/metadata.
    schema = None
    methods: dict[str, str | None] = {}

    def get_exception_handler(self):
        return errors.exception_handler

    def initial(self, request, *args, **kwargs):
        # An unknown type is a 404 whoever asks, before credentials are checked.
        self.resource = None
        if "type_name" in kwargs:
            self.resource = resource_type(kwargs["type_name"])
            if self.resource is None:
                raise ResourceNotFound(f"This server has no resource type {kwargs['type_name']!r}.")
        super().initial(request, *args, **kwargs)
        self._check_smart_scopes(request, kwargs)

    def _check_smart_scopes(self, request, kwargs):
        """A SMART app's token reaches only what its scopes name (docs/smart.md);
        the caller's own access rules still decide which rows."""
        scopes = token_scopes(request)
        if scopes is None:
            return
        writes = request.method in ("PUT", "PATCH") or (
            request.method == "POST" and isinstance(self, TypeView))
        # An operation ($everything) returns every type: it needs a `*` scope.
        wanted = "*" if "operation" in kwargs or self.resource is None else self.resource.name
        if not scope_allows(scopes, resource_type=wanted, action=WRITE if writes else READ):
            raise Forbidden("The app's access does not include this.")

    @property
    def allowed_methods(self):
        """The methods this path answers for its type (the 405's Allow header)."""
        resource = getattr(self, "resource", None)
        allowed = []
        for method, needs in self.methods.items():
            if needs is None or (resource is not None and getattr(resource, needs, None)):
                allowed.append(method)
        return allowed

    def _require(self, interaction: str):
        handler = getattr(self.resource, interaction, None)
        if handler is None:
            raise MethodNotAllowed(self.request.method)
        return handler


def _query_pairs(querydict) -> list[tuple[str, str]]:
    # An empty body that is not a form parses to a plain {} (DRF): no parameters.
    if not hasattr(querydict, "lists"):
        return []
    return [(name, value) for name, values in querydict.lists() for value in values]


def _strict(request) -> bool:
    return "handling=strict" in request.META.get("HTTP_PREFER", "").replace(" ", "").lower()


def _search(view: FhirView, request, pairs) -> Response:
    resource = view.resource
    query = parse_query(pairs, known=set(resource.params), strict=_strict(request))
    page = resource.search(request, query)
    return Response(searchset(request, resource.name, query, page))


def _created(request, resource: dict, status: int) -> Response:
    location = f"{base_url(request)}/{resource['resourceType']}/{resource['id']}"
    return Response(resource, status=status, headers={"Location": location})


class TypeView(FhirView):
    """`/fhir/<Type>`: search by GET, create by POST."""

    methods = {"GET": None, "HEAD": None, "POST": "create"}

    def get(self, request, type_name):
        return _search(self, request, _query_pairs(request.query_params))

    def post(self, request, type_name):
        create = self._require("create")
        resource, status = create(request, request.data)
        return _created(request, resource, status)


class SearchView(FhirView):
    """`POST /fhir/<Type>/_search`: parameters in a form-encoded body (and the URL)."""

    parser_classes = SEARCH_PARSERS
    methods = {"POST": None}

    def post(self, request, type_name):
        pairs = _query_pairs(request.query_params) + _query_pairs(request.data)
        return _search(self, request, pairs)


class InstanceView(FhirView):
    """`/fhir/<Type>/<id>`: read, update (PUT), patch (JSON Patch)."""

    parser_classes = [*RESOURCE_PARSERS, JsonPatchParser]
    methods = {"GET": None, "HEAD": None, "PUT": "update", "PATCH": "patch"}

    def get(self, request, type_name, resource_id):
        return Response(self.resource.read(request, resource_id))

    def put(self, request, type_name, resource_id):
        resource, status = self._require("update")(request, resource_id, request.data)
        return Response(resource, status=status)

    def patch(self, request, type_name, resource_id):
        if request.content_type.split(";")[0].strip() != JsonPatchParser.media_type:
            raise UnsupportedMediaType(request.content_type)
        resource, status = self._require("patch")(request, resource_id, request.data)
        return Response(resource, status=status)


class OperationView(FhirView):
    """`/fhir/<Type>/<id>/$<operation>`, by GET."""

    methods = {"GET": None, "HEAD": None}

    def get(self, request, type_name, resource_id, operation):
        found = operations_of(type_name).get(operation)
        if found is None:
            raise ResourceNotFound(f"{type_name} has no operation ${operation}.")
        return found.handler(request, resource_id)


class MetadataView(FhirView):
    """`GET /fhir/metadata`: the CapabilityStatement, no credentials needed."""

    authentication_classes = []
    permission_classes = [AllowAny]
    methods = {"GET": None, "HEAD": None}

    def get(self, request):
        return Response(capability_statement(request))


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /fhir/: a 404 OperationOutcome, whatever the method."""
    return outcome_response(f"No such FHIR endpoint: {request.path}", status=404, code="not-found")
