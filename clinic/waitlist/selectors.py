import datetime as dt

from django.db.models import QuerySet

from clinic.core import clock
from clinic.patients.models import Patient
from clinic.waitlist.models import EntryStatus, WaitlistEntry


def waitlist_entries_for(*, patient: Patient) -> QuerySet[WaitlistEntry]:
    """The patient's waitlist entries, newest first, with their doctor."""
    return patient.waitlist_entries.select_related("doctor").order_by("-created_at", "-pk")


def waitlist_live_offers() -> QuerySet[WaitlistEntry]:
    """Offers whose hold has not lapsed."""
    return WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED, offer_expires_at__gt=clock.now()
    )


def waitlist_held_slots(
    *, doctor_ids, first: dt.date, last: dt.date, except_patient_id: int | None = None
) -> set[tuple[int, dt.date, dt.time]]:
    """The doctors' slots in [first, last] held by a live offer (the appointments hold
    source), as (doctor_id, date, start).

    A lapsed hold no longer holds, even before the release task has run.
    """
    offers = waitlist_live_offers().filter(
        doctor_id__in=doctor_ids, offer_date__gte=first, offer_date__lte=last
    )
    if except_patient_id is not None:
        offers = offers.exclude(patient_id=except_patient_id)
    return set(offers.values_list("doctor_id", "offer_date", "offer_start"))


def waitlist_for_doctor_day(*, doctor_id: int, day: dt.date) -> QuerySet[WaitlistEntry]:
    """Who waits for a doctor on a day, first in line first (the staff's view)."""
    return (
        WaitlistEntry.objects.filter(
            doctor_id=doctor_id,
            status__in=(EntryStatus.WAITING, EntryStatus.OFFERED),
            first_day__lte=day,
            last_day__gte=day,
        )
        .select_related("patient__user")
        .order_by("created_at", "pk")
    )
