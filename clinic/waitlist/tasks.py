"""Tasks are thin: they take ids (and ISO dates) and call services."""

import datetime as dt

from django_tasks import task

from clinic.waitlist import services


@task()
def offer_slot(doctor_id: int, day: str, start: str) -> int | None:
    entry = services.waitlist_offer_slot(
        doctor_id=doctor_id, day=dt.date.fromisoformat(day), start=dt.time.fromisoformat(start)
    )
    return entry.pk if entry else None


@task()
def release_lapsed() -> int:
    return services.waitlist_release_lapsed()
