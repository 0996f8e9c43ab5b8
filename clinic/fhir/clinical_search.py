"""Search filters the clinical types share: a reference to a Patient or an Encounter,
a day, and what a staff login may read (clinic.fhir.access)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from clinic.fhir import access
from clinic.fhir.search import int_id, parse_date, reference_id, require_modifier

# Clinical content (notes, diagnoses, prescriptions, results), as the workspace asks
# (clinic.staff.access): the front desk and the lab get a 403.
CLINICAL_PERM = "records.view_consultation_notes"


def scope(request, rows, *, patient_field: str = "patient_id"):
    """`rows` cut to the patients the caller may read (a 403 for a staff role without
    clinical access); a doctor sees the patients they see, as in the workspace."""
    return access.scoped(
        request, rows, perm=CLINICAL_PERM, patient_field=patient_field, clinical=True
    )


def shows_entered_in_error(request) -> bool:
    """Staff see records entered in error, with that status; patients never do."""
    return access.is_staff_caller(request)


def scoped_queryset(select, *, patient_field: str = "patient_id"):
    """A clinical type's `queryset(request)`: `select(patient_ids=None, entered_in_error=)`
    (a clinic.records selector) cut by `scope`, with entered-in-error rows for staff only."""

    def queryset(request):
        rows = select(patient_ids=None, entered_in_error=shows_entered_in_error(request))
        return scope(request, rows, patient_field=patient_field)

    return queryset


def referenced_ids(criterion, type_name: str) -> list[int]:
    """The ids a reference criterion names (`Type/1`, a bare `1`, or a full URL)."""
    ids = []
    for value in criterion.values:
        kind, ident = reference_id(value, types=(type_name,), modifier=criterion.modifier)
        pk = int_id(ident) if kind == type_name else None
        if pk is not None:
            ids.append(pk)
    return ids


def by_reference(field: str, type_name: str):
    """A reference search parameter over the foreign key `field` to `type_name` rows."""

    def apply(rows, criterion, request):
        return rows.filter(**{f"{field}__in": referenced_ids(criterion, type_name)})

    return apply


def day_q(field: str, value: str) -> Q:
    """A FHIR date criterion over a DateField: the day lies in, after or before the range."""
    when = parse_date(value)
    # The days the range touches, in the clinic's calendar (a time picks its whole day).
    first = timezone.localtime(when.low).date()
    after = timezone.localtime(when.high - dt.timedelta(microseconds=1)).date()
    after += dt.timedelta(days=1)
    inside = Q(**{f"{field}__gte": first, f"{field}__lt": after})
    return {
        "eq": inside,
        "ne": ~inside,
        "gt": Q(**{f"{field}__gte": after}),
        "sa": Q(**{f"{field}__gte": after}),
        "ge": Q(**{f"{field}__gte": first}),
        "lt": Q(**{f"{field}__lt": first}),
        "eb": Q(**{f"{field}__lt": first}),
        "le": Q(**{f"{field}__lt": after}),
    }[when.prefix]


def by_day(field: str):
    def apply(rows, criterion, request):
        require_modifier(criterion)
        q = Q()
        for value in criterion.values:
            q |= day_q(field, value)
        return rows.filter(q)

    return apply
