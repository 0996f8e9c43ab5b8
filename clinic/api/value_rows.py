"""A list serializer's output built from `.values()` rows instead of model instances.

The serializer stays the one definition of a list's shape (and of its schema): this
module reads its fields once per class and runs them over light row objects that
answer `row.doctor.name` from the `doctor__name` column. Building model instances and
DRF's per-field dispatch were most of a long list's cost (docs/benchmarks.md: history,
80 rows).

What a compiled serializer may use: fields with a `source` path of model columns,
nested serializers and `SerializerMethodField`s. Properties and methods
of the model work on the row object too, as long as the columns they read are loaded:
name those in `extra`. Related objects the caller already holds (the patient whose
list it is) are given in `known`, so their columns are neither joined nor read.
A `many=True` serializer of a reverse foreign key is read in one more query for the
whole page, filtered and ordered as the queryset's prefetch of it. A serializer with
its own `to_representation` runs it on each row object. A nested serializer with its
own `to_representation`, a method field or a `many=True` field in a nested serializer
cannot be compiled: `value_rows` refuses them (NotCompilable) rather than serve a
different shape.
"""

import operator
from collections.abc import Callable, Iterable
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch
from rest_framework import serializers

_BASE_TO_REPRESENTATION = serializers.Serializer.to_representation


class NotCompilable(TypeError):
    """The serializer uses something value rows cannot stand in for."""


def _row_class(model: type[models.Model], prefix: str, keys: frozenset, known: frozenset):
    """A class whose instances read `model`'s attributes from one values() dict."""
    attrs: dict = {"__slots__": ("_values", "_known"), "_model": model}

    def column(key):
        return property(lambda self: self._values[key])

    def file_column(key, field):
        return property(lambda self: field.attr_class(self, field, self._values[key]))

    for field in model._meta.concrete_fields:
        for name in {field.name, field.attname}:
            key = prefix + name
            if key in keys:
                if isinstance(field, models.FileField):
                    attrs[field.attname] = file_column(key, field)
                else:
                    # A foreign key's `doctor` column is its id: `row.doctor_id`.
                    attrs[field.attname] = column(key)
    pk = model._meta.pk
    for key in (prefix + "pk", prefix + pk.attname, prefix + pk.name):
        if key in keys:
            attrs["pk"] = column(key)
            attrs.setdefault(pk.attname, column(key))
            break
    for field in model._meta.get_fields():
        if not field.is_relation or not (field.many_to_one or field.one_to_one):
            continue
        if prefix == "" and field.name in known:
            attrs[field.name] = property(lambda self, name=field.name: self._known[name])
            continue
        nested = prefix + field.name + "__"
        if any(key.startswith(nested) for key in keys):
            related = _row_class(field.related_model, nested, keys, frozenset())
            id_key = next(
                (k for k in (prefix + field.name, prefix + field.attname) if k in keys), None
            )
            attrs[field.name] = _relation(related, id_key)
    attrs["__init__"] = _init
    attrs["__getattr__"] = _model_attribute
    return type(f"{model.__name__}Row", (), attrs)


def _relation(related, id_key):
    def read(self):
        if id_key is not None and self._values[id_key] is None:
            return None
        return related(self._values, self._known)

    return property(read)


def _init(self, values: dict, known: dict) -> None:
    self._values = values
    self._known = known


def _model_attribute(self, name: str):
    """The model's own properties and methods, run on the row (they read its columns)."""
    attr = getattr(self._model, name)
    if isinstance(attr, property):
        return attr.fget(self)
    if callable(attr) and not isinstance(attr, type):
        return attr.__get__(self)
    raise AttributeError(name)


def _is_column(model, path: list[str]) -> bool:
    """Whether `path` (["doctor", "name"]) names a database column, not a property."""
    for i, name in enumerate(path):
        if name == "pk":
            return i == len(path) - 1
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if field.is_relation and i < len(path) - 1:
            model = field.related_model
        elif i < len(path) - 1:
            return False
    return True


def _reader(path: list[str]) -> Callable:
    return operator.attrgetter(".".join(path)) if path else (lambda row: row)


def _own_representation(serializer) -> bool:
    return type(serializer).to_representation is not _BASE_TO_REPRESENTATION


def _compile_fields(serializer, model, columns: list, known, prefix: list):
    """[(name, read(row, method_owner) -> output)] for `serializer`'s readable fields."""
    if getattr(serializer, "parent", None) is not None and _own_representation(serializer):
        raise NotCompilable(f"{type(serializer).__name__} has its own to_representation")
    steps = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            steps.append((name, _many_step(name, field, model, prefix)))
            continue
        if isinstance(field, serializers.SerializerMethodField):
            # Method fields are looked up on the serializer of the call: the top one's only.
            if getattr(serializer, "parent", None) is not None:
                raise NotCompilable(f"{name}: a method field of a nested serializer")
            steps.append((name, _method_step(field.method_name, prefix)))
            continue
        path = prefix + field.source_attrs
        # A property (`is_released`) is no column: what it reads is named in `extra`.
        if path and path[0] not in known and _is_column(model, path):
            columns.append("__".join(path))
        if isinstance(field, serializers.Serializer):
            nested = _compile_fields(field, model, columns, known, path)
            steps.append((name, _nested_step(_reader(path), nested)))
        else:
            steps.append((name, _field_step(_reader(path), field.to_representation)))
    return steps


class _Many:
    """A `many=True` serializer of a reverse foreign key (`lines` of a consultation),
    read in one more values() query over all the page's rows, like a prefetch."""

    def __init__(self, name: str, field: serializers.ListSerializer, model):
        try:
            relation = model._meta.get_field(field.source)
        except FieldDoesNotExist:
            relation = None
        if relation is None or not relation.one_to_many or not isinstance(
            field.child, serializers.Serializer
        ):
            raise NotCompilable(f"{name}: many=True over something not a reverse foreign key")
        self.name, self.source = name, field.source
        self.model = relation.related_model
        self.parent_key = relation.field.attname
        columns: list = []
        self.steps = _compile_fields(field.child, self.model, columns, frozenset(), [])
        self.columns = tuple(dict.fromkeys([self.parent_key, *columns]))
        self.row_class = _row_class(self.model, "", frozenset(self.columns), frozenset())

    def load(self, queryset, parent_ids: list) -> dict:
        """{parent id: [output rows]}, from the queryset's own prefetch of the relation
        (its filter and order), or the related model's default manager."""
        related = self.model._default_manager.all()
        for lookup in queryset._prefetch_related_lookups:
            if isinstance(lookup, Prefetch) and lookup.prefetch_to == self.source:
                related = lookup.queryset if lookup.queryset is not None else related
        groups: dict = {}
        rows = related.filter(**{f"{self.parent_key}__in": parent_ids}).values(*self.columns)
        for values in rows:
            row = self.row_class(values, {})
            groups.setdefault(values[self.parent_key], []).append(
                {name: step(row, None) for name, step in self.steps}
            )
        return groups


def _many_step(name: str, field, model, prefix: list):
    if prefix:
        raise NotCompilable(f"{name}: many=True in a nested serializer")
    many = _Many(name, field, model)

    def step(row, call):
        return call.many[name].get(row.pk, [])

    step.many = many
    return step


class _Call:
    """What one call's steps share: the serializer with its context, and the many rows."""

    __slots__ = ("owner", "many")

    def __init__(self, owner, many: dict):
        self.owner = owner
        self.many = many


def _method_step(method_name: str, prefix: list):
    read = _reader(prefix)

    def step(row, call):
        return getattr(call.owner, method_name)(read(row))

    return step


def _nested_step(read, nested):
    def step(row, call):
        if read(row) is None:
            return None
        return {name: inner(row, call) for name, inner in nested}

    return step


def _field_step(read, represent):
    def step(row, call):
        value = read(row)
        return None if value is None else represent(value)

    return step


class CompiledSerializer:
    def __init__(self, serializer_class, model, extra: tuple, known: frozenset):
        self.serializer_class = serializer_class
        columns: list = []
        # The template's fields are shared by every call: they must not read the context
        # (method fields get a serializer of the call, with its context).
        self.steps = _compile_fields(serializer_class(), model, columns, known, [])
        self.many = [step.many for _, step in self.steps if hasattr(step, "many")]
        if self.many:
            columns.append("pk")
        # A column the serializer reads straight off a nested object (`doctor` for
        # DoctorRefSerializer(source="doctor")) is its foreign key: loaded to tell None.
        self.columns = tuple(dict.fromkeys([*columns, *extra]))
        self.row_class = _row_class(model, "", frozenset(self.columns), known)
        # A serializer with its own to_representation (fields present only sometimes)
        # runs it on each row object: DRF's field dispatch stays, the instances go.
        self.own_representation = _own_representation(serializer_class())

    def data(
        self, queryset, *, known: dict | None = None, context: dict | None = None,
        values: Iterable[dict] | None = None,
    ) -> list:
        owner = self.serializer_class(context=context or {})
        known = known or {}
        row_class = self.row_class
        if values is None:
            values = queryset.values(*self.columns)
        rows = [row_class(row, known) for row in values]
        if self.own_representation:
            return [owner.to_representation(row) for row in rows]
        ids = [row.pk for row in rows] if self.many else []
        call = _Call(owner, {many.name: many.load(queryset, ids) for many in self.many if ids})
        steps = self.steps
        return [{name: step(row, call) for name, step in steps} for row in rows]


@cache
def _compiled(serializer_class, model, extra: tuple, known: frozenset) -> CompiledSerializer:
    return CompiledSerializer(serializer_class, model, extra, known)


@cache
def _plain_row_class(model, columns: tuple, known: frozenset):
    return _row_class(model, "", frozenset(columns), known)


def row_objects(queryset, columns: Iterable[str], *, known: dict | None = None) -> list:
    """`list(queryset)` as row objects over `.values(*columns)`: for code written for
    model instances (a FHIR mapping) that reads only `columns` and the model's
    properties and methods over them."""
    columns = tuple(columns)
    row_class = _plain_row_class(queryset.model, columns, frozenset(known or ()))
    known = known or {}
    return [row_class(values, known) for values in queryset.values(*columns)]


def value_rows(
    serializer_class,
    queryset,
    *,
    extra: Iterable[str] = (),
    known: dict | None = None,
    context: dict | None = None,
) -> list:
    """`serializer_class(queryset, many=True).data`, from `.values()` rows.

    `extra`: columns that method fields and model properties read; `known`: related
    objects every row shares (by field name), not loaded from the database."""
    compiled = _compiled(serializer_class, queryset.model, tuple(extra), frozenset(known or ()))
    return compiled.data(queryset, known=known, context=context)


def value_rows_of(
    serializer_class, model, values: Iterable[dict], *, extra: Iterable[str] = (),
    context: dict | None = None,
) -> list:
    """value_rows over `.values()` rows already at hand (a cached list of `model`'s),
    which must hold the serializer's columns and `extra`."""
    compiled = _compiled(serializer_class, model, tuple(extra), frozenset())
    if compiled.many:
        raise NotCompilable("many=True needs the queryset")
    return compiled.data(None, context=context, values=values)
