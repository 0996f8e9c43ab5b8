"""The doctor directory, each doctor's week and the sites' hours, cached until a doctor,
site, schedule or time off changes.

Every doctor list and every slot lookup or booking reads them, and they change a
few times a year: caching them saves the doctor list its query and a slot lookup
or a booking two of theirs (docs/benchmarks.md). They live in the default cache,
which every worker shares (Redis with REDIS_URL, else files under var/cache), so
a change made through one worker is seen by all. Receivers on the models' saves
and deletes (connected in apps.py, because admin inlines and every other path
save through the ORM) delete the entries at once and again after the commit, so
a request that read the old rows meanwhile cannot leave them cached. Writes that
bypass the ORM's signals (bulk_create, update()) call `doctors_changed` themselves;
the TTL bounds anything missed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from clinic.doctors.models import Doctor, Location, TimeOff, WeeklySchedule

TTL_SECONDS = 600
_VERSION = 2  # bump when the cached shapes change
DIRECTORY_KEY = f"doctors:directory:{_VERSION}"
LOCATION_COLUMNS = ("id", "name", "address", "phone", "time_zone", "map_url")
# The sites with the hours their sessions make: any doctor, session or site change.
HOURS_KEY = f"doctors:hours:{_VERSION}"
# What a directory row holds: everything lists of doctors show.
DIRECTORY_COLUMNS = (
    "id", "name", "gender", "birth_date", "experience_years", "specialty", "office_number",
    "profile_pic",
)


@dataclass(frozen=True)
class Session:
    """One weekly session: its bounds, its slot starts and its site."""

    start: dt.time
    end: dt.time
    slot_minutes: int
    location_id: int
    slots: tuple[dt.time, ...]
    # The site's LOCATION_COLUMNS, so that "where is this visit" costs no query.
    location: dict


@dataclass(frozen=True)
class DoctorWeek:
    """A doctor's sessions and slot times per weekday (0 = Monday), and time off as
    date ranges."""

    slots: dict[int, tuple[dt.time, ...]]
    time_off: tuple[tuple[dt.date, dt.date], ...]
    sessions: dict[int, tuple[Session, ...]]

    def is_off(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.time_off)


def _week_key(doctor_id: int) -> str:
    return f"doctors:week:{_VERSION}:{doctor_id}"


def cached_directory(build: Callable[[], list[dict]]) -> list[dict]:
    """The directory's rows (selectors.doctor_directory), built by `build` when not cached."""
    return cache.get_or_set(DIRECTORY_KEY, build, TTL_SECONDS)


def doctor_week(*, doctor_id: int, memo: dict | None = None) -> DoctorWeek:
    """The doctor's week. `memo` is a dict the caller keeps for one request: a batch
    (a page of visits, a search's slots) then reads each doctor's week from the cache
    once, not once per row; with the file cache, each read is a file opened and
    unpickled."""
    if memo is not None and (week := memo.get(doctor_id)) is not None:
        return week
    week = cache.get_or_set(_week_key(doctor_id), lambda: _week(doctor_id), TTL_SECONDS)
    if memo is not None:
        memo[doctor_id] = week
    return week


def _week(doctor_id: int) -> DoctorWeek:
    slots, sessions = {}, {}
    rows = WeeklySchedule.objects.filter(doctor_id=doctor_id).select_related("location")
    for row in rows.order_by("weekday", "start"):
        times = tuple(row.slot_times())
        slots.setdefault(row.weekday, set()).update(times)
        site = {name: getattr(row.location, name) for name in LOCATION_COLUMNS}
        sessions.setdefault(row.weekday, []).append(
            Session(row.start, row.end, row.slot_minutes, row.location_id, times, site)
        )
    time_off = TimeOff.objects.filter(doctor_id=doctor_id).values_list("start_date", "end_date")
    return DoctorWeek(
        slots={day: tuple(sorted(times)) for day, times in slots.items()},
        time_off=tuple(time_off),
        sessions={day: tuple(found) for day, found in sessions.items()},
    )


def cached_opening_hours(build: Callable[[], list]) -> list:
    """Each site's opening hours (selectors.location_opening_hours), built when not cached."""
    return cache.get_or_set(HOURS_KEY, build, TTL_SECONDS)


def doctors_changed(*, doctor_id: int | None = None) -> None:
    """Forget the directory and, given a doctor, that doctor's week: now and after commit."""
    keys = [DIRECTORY_KEY, HOURS_KEY]
    if doctor_id is not None:
        keys.append(_week_key(doctor_id))
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _doctor_saved_or_deleted(sender, instance, **kwargs) -> None:
    doctors_changed(doctor_id=instance.pk)


def _week_saved_or_deleted(sender, instance, **kwargs) -> None:
    doctors_changed(doctor_id=instance.doctor_id)


def _location_saved_or_deleted(sender, instance, **kwargs) -> None:
    # Each week holds its sites' details: forget the weeks of the doctors seen there.
    doctors_changed()
    seen_there = (
        WeeklySchedule.objects.filter(location_id=instance.pk)
        .values_list("doctor_id", flat=True)
        .distinct()
    )
    for doctor_id in seen_there:
        doctors_changed(doctor_id=doctor_id)


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_location_saved_or_deleted, sender=Location, dispatch_uid="doctors_cache_l")
    post_delete.connect(
        _location_saved_or_deleted, sender=Location, dispatch_uid="doctors_cache_ld"
    )
    post_save.connect(_doctor_saved_or_deleted, sender=Doctor, dispatch_uid="doctors_cache_d")
    post_delete.connect(_doctor_saved_or_deleted, sender=Doctor, dispatch_uid="doctors_cache_dd")
    for model in (WeeklySchedule, TimeOff):
        uid = f"doctors_cache_{model.__name__}"
        post_save.connect(_week_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(_week_saved_or_deleted, sender=model, dispatch_uid=f"{uid}_d")
