"""Visit types, cached: every slot lookup and booking needs the default one's length.

They change a few times a year, so they live in the shared default cache (like the
doctor directory, clinic/doctors/cache.py) and saves and deletes of a VisitType
forget them at once and again after the commit.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction

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


def visit_type_save(*, actor, name: str, minutes: int, is_active: bool = True,
                    visit_type=None):
    """Add a visit type, or change `visit_type`'s name, length or whether it takes bookings.

    A new length applies to bookings made from now on: booked visits keep the end
    they were booked with. The default type stays active (make another the default
    first, clinic.appointments.services.visit_type_set_default).
    """
    from clinic.appointments.models import VisitType
    from clinic.core.audit import audit_log

    name = name.strip()
    if not name:
        raise InvalidInput("Enter a name.", field="name")
    if not 5 <= minutes <= 240:
        raise InvalidInput("A visit lasts 5 to 240 minutes.", field="minutes")
    with transaction.atomic():
        clash = VisitType.objects.filter(name__iexact=name).exclude(
            pk=getattr(visit_type, "pk", None)
        )
        if clash.exists():
            raise InvalidInput("Another visit type has that name.", field="name")
        if visit_type is not None and visit_type.is_default and not is_active:
            raise InvalidInput(
                "The default visit type stays active: make another one the default first.",
                field="is_active",
            )
        visit_type = visit_type or VisitType()
        visit_type.name, visit_type.minutes, visit_type.is_active = name, minutes, is_active
        try:
            with transaction.atomic():
                visit_type.save()
        except IntegrityError:  # a twin saved at the same moment
            raise InvalidInput("Another visit type has that name.", field="name") from None
        audit_log(actor=actor, action="visit_type.saved", obj=visit_type, name=name,
                  minutes=minutes, is_active=is_active)
    return visit_type
