"""Visit types, cached: every slot lookup and booking needs the default one's length.

They change a few times a year, so they live in the shared default cache (like the
doctor directory, clinic/doctors/cache.py) and saves and deletes of a VisitType
forget them at once and again after the commit.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from clinic.core.errors import InvalidInput, NotFound

TTL_SECONDS = 600
KEY = "appointments:visit_types:1"


@dataclass(frozen=True)
class CachedVisitType:
    pk: int
    name: str
    minutes: int
    is_default: bool
    is_active: bool


def _all() -> dict[int, CachedVisitType]:
    def build():
        from clinic.appointments.models import VisitType

        return {
            row["pk"]: CachedVisitType(**row)
            for row in VisitType.objects.values("pk", "name", "minutes", "is_default", "is_active")
        }

    return cache.get_or_set(KEY, build, TTL_SECONDS)


def visit_types_active() -> list[CachedVisitType]:
    """The types a booking may name, the default first."""
    return sorted(
        (t for t in _all().values() if t.is_active), key=lambda t: (not t.is_default, t.name)
    )


def visit_type_default() -> CachedVisitType:
    """The type of bookings that name none. A clinic without one gets 'Consultation',
    30 minutes: the original clinic's only visit."""
    for visit_type in _all().values():
        if visit_type.is_default:
            return visit_type
    from clinic.appointments.models import VisitType

    made, _ = VisitType.objects.get_or_create(
        is_default=True, defaults={"name": "Consultation", "minutes": 30}
    )
    visit_types_changed()
    return CachedVisitType(made.pk, made.name, made.minutes, True, made.is_active)


def visit_type_get(*, visit_type_id: int | None) -> CachedVisitType:
    """A bookable visit type by id; None means the default one."""
    if visit_type_id is None:
        return visit_type_default()
    found = _all().get(visit_type_id)
    if found is None or not found.is_active:
        raise NotFound(f"No visit type with id {visit_type_id}.", field="visit_type")
    return found


def visit_type_minutes(visit_type_id: int) -> int:
    found = _all().get(visit_type_id)
    if found is None:
        visit_types_changed()  # created meanwhile by another worker
        found = _all().get(visit_type_id)
    if found is None:
        raise InvalidInput(f"No visit type with id {visit_type_id}.", field="visit_type")
    return found.minutes


def visit_end(start: dt.time, minutes: int) -> dt.time:
    """start + minutes on the same day (a visit never runs past midnight)."""
    end = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)
    if end.date() != dt.date(2000, 1, 1):
        raise InvalidInput("A visit cannot run past midnight.", field="slot")
    return end.time()


def visit_types_changed() -> None:
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


def _saved_or_deleted(sender, instance, **kwargs) -> None:
    visit_types_changed()


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save

    from clinic.appointments.models import VisitType

    post_save.connect(_saved_or_deleted, sender=VisitType, dispatch_uid="visit_types_cache")
    post_delete.connect(_saved_or_deleted, sender=VisitType, dispatch_uid="visit_types_cache_d")
