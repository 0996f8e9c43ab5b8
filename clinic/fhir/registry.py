"""The resource types /fhir/ serves, and how each is read and searched.

A mapping module in clinic/fhir/mappings/ declares its type as `RESOURCE`, an
instance of ResourceType (computed resources such as Slot) or, usually, of
ModelResource (a queryset scoped to the caller, search parameters as queryset
filters, `to_fhir` for each row). The views, the CapabilityStatement and the
tests all read `resource_types()`, so what is declared is exactly what is served.

Writing a new type (see docs/fhir.md):

    RESOURCE = ModelResource(
        name="Encounter",
        to_fhir=to_fhir,
        queryset=lambda request: access.scoped(request, Consultation.objects..., perm=...),
        params={"patient": SearchParam("reference", _by_patient, "The patient")},
        patient_ids=lambda rows: [row.patient_id for row in rows],
    )

Search filters are `filter(queryset, criterion, request) -> queryset`; one
criterion's values are ORed (criterion.values). `_id` is added to every type.
Every row a read or search returns whose `patient_ids` are not empty is logged
with clinic.audit.services.log_record_access (via "fhir").
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.db.models import QuerySet

from clinic.api.value_rows import row_objects
from clinic.audit.services import log_record_access
from clinic.fhir.errors import ResourceNotFound
from clinic.fhir.search import Criterion, Query, int_id, require_modifier


@dataclass(frozen=True)
class SearchParam:
    """A search parameter: its FHIR type (token, string, date, reference), the filter
    that applies it, and the line the CapabilityStatement shows."""

    type: str
    filter: Callable
    documentation: str = ""


@dataclass
class Page:
    """One page of search results, as FHIR JSON resources, and the whole count."""

    resources: list[dict]
    total: int


@dataclass(eq=False)
class ResourceType:
    """A FHIR type with read and search. Subclasses implement `read` and `search`;
    optional writes are `create(request, body)`, `update(request, id, body)` and
    `patch(request, id, operations)`, each returning (resource, status).
    `operations` maps an instance operation's name (without `$`) to
    `handler(request, id) -> rest_framework Response`, and `operation_definitions`
    its canonical URL for the CapabilityStatement."""

    name: str
    params: dict[str, SearchParam] = field(default_factory=dict)
    operations: dict[str, Callable] = field(default_factory=dict)
    operation_definitions: dict[str, str] = field(default_factory=dict)
    create: Callable | None = None
    update: Callable | None = None
    patch: Callable | None = None

    def read(self, request, resource_id: str) -> dict:
        raise NotImplementedError

    def search(self, request, query: Query) -> Page:
        raise NotImplementedError

    @property
    def interactions(self) -> list[str]:
        found = ["read", "search-type"]
        found += [name for name in ("create", "update", "patch") if getattr(self, name)]
        return found


def _by_id(queryset, criterion: Criterion, request):
    require_modifier(criterion)
    ids = [pk for pk in (int_id(v) for v in criterion.values) if pk is not None]
    return queryset.filter(pk__in=ids)


ID_PARAM = SearchParam("token", _by_id, "The resource's id.")


@dataclass(eq=False)
class ModelResource(ResourceType):
    """A type whose resources are rows: `queryset(request)` holds only what the
    caller may see (clinic.fhir.access) with its joins fixed, so a read or a page
    costs the same few queries however much data there is."""

    to_fhir: Callable | None = None
    queryset: Callable[..., QuerySet] | None = None
    # The patients whose data a list of rows is (for the access log); None: not
    # patient data (the clinic's directory).
    patient_ids: Callable[[list], list[int]] | None = None
    ordering: tuple[str, ...] = ("pk",)
    # The columns to_fhir reads: a search page then maps row objects over `.values()`
    # (clinic.api.value_rows) instead of model instances, about a third cheaper to load.
    columns: tuple[str, ...] | None = None

    def __post_init__(self):
        self.params = {"_id": ID_PARAM, **self.params}

    def read(self, request, resource_id: str) -> dict:
        pk = int_id(resource_id)
        row = self.queryset(request).filter(pk=pk).first() if pk is not None else None
        if row is None:
            raise ResourceNotFound(f"{self.name}/{resource_id} is not known.")
        self._log(request, [row])
        return self.to_fhir(row, request=request)

    def search(self, request, query: Query) -> Page:
        rows = self.queryset(request)
        for criterion in query.criteria:
            rows = self.params[criterion.name].filter(rows, criterion, request)
        rows = rows.order_by(*self.ordering)
        total = rows.count()
        page = rows[query.offset : query.offset + query.count] if query.count else rows.none()
        page = row_objects(page, self.columns) if self.columns else list(page)
        self._log(request, page)
        return Page([self.to_fhir(row, request=request) for row in page], total)

    def _log(self, request, rows: list) -> None:
        if self.patient_ids is not None and rows:
            log_record_access(request=request, patients=self.patient_ids(rows), via="fhir")


@dataclass(frozen=True)
class Operation:
    """An instance operation, `GET /fhir/<Type>/<id>/$<name>`."""

    handler: Callable  # handler(request, resource_id) -> rest_framework Response
    definition: str  # its OperationDefinition's canonical URL


_operations: dict[str, dict[str, Operation]] = {}


def instance_operation(type_name: str, name: str, *, definition: str):
    """Decorator: serve `handler(request, resource_id)` as `$<name>` on `type_name`'s
    instances, from any module in clinic/fhir/mappings/ (imported by the registry),
    without touching the type's own module:

        @instance_operation("Patient", "everything",
                            definition="http://hl7.org/fhir/OperationDefinition/Patient-everything")
        def patient_everything(request, resource_id): ...
    """

    def register(handler):
        _operations.setdefault(type_name, {})[name] = Operation(handler, definition)
        return handler

    return register


def operations_of(type_name: str) -> dict[str, Operation]:
    """The instance operations of a type: its own `operations` and the registered ones."""
    resource = _discovered().get(type_name)  # imports the mappings: their registrations
    found = {}
    if resource is not None:
        found = {
            name: Operation(handler, resource.operation_definitions.get(name, ""))
            for name, handler in resource.operations.items()
        }
    return {**found, **_operations.get(type_name, {})}


@cache
def _discovered() -> dict[str, ResourceType]:
    from clinic.fhir import mappings

    found = {}
    for module in pkgutil.iter_modules(mappings.__path__):
        declared = getattr(
            importlib.import_module(f"{mappings.__name__}.{module.name}"), "RESOURCE", None
        )
        if isinstance(declared, ResourceType):
            found[declared.name] = declared
    return dict(sorted(found.items()))


def resource_types() -> dict[str, ResourceType]:
    """Every type served, by name, in name order."""
    return _discovered()


def resource_type(name: str) -> ResourceType | None:
    return _discovered().get(name)
