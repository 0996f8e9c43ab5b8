"""The waitlist: join, leave, offers of freed slots, claims and lapses.

The database decides every race: an offer is a compare-and-swap of a waiting
entry to `offered` under a partial unique constraint (one live offer per
slot); a claim and a lapse are compare-and-swaps of the same offered row, so
exactly one of them happens. Makers of offers and bookings take the doctor's
row lock first (clinic.appointments.holds), so a booking and an offer of one
slot cannot each miss the other.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from clinic.appointments import holds
from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import Conflict, InvalidInput, NotFound
from clinic.doctors.models import Doctor
from clinic.doctors.selectors import booking_window, doctor_schedule_slots
from clinic.notifications.events import event_emit
from clinic.patients.models import Patient
from clinic.waitlist import notifications
from clinic.waitlist.models import LIVE_STATUSES, EntryStatus, WaitlistEntry

logger = logging.getLogger(__name__)


def _race_window(step: str) -> None:
    """Between a check and its write. Race tests widen it (pretix's "sleep after check")."""


def waitlist_join(
    *,
    patient: Patient,
    doctor: Doctor,
    first_day: dt.date,
    last_day: dt.date | None = None,
    actor=None,
) -> WaitlistEntry:
    """Put the patient on the doctor's waiting list for [first_day, last_day]."""
    last_day = last_day or first_day
    first, last = booking_window()
    if first_day < first:
        raise InvalidInput("from: Cannot wait for a date in the past.", field="from")
    if last_day < first_day:
        raise InvalidInput("to: The last date cannot be before the first.", field="to")
    if last_day > last:
        raise InvalidInput(f"to: Bookings open {last - first} ahead at most.", field="to")
    if not doctor.is_active:
        raise NotFound("This doctor is not taking appointments.", field="doc_id")
    with transaction.atomic():
        # One join at a time per patient: the overlap check below cannot be passed twice.
        list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk"))
        clash = (
            WaitlistEntry.objects.filter(
                patient=patient,
                doctor=doctor,
                status__in=LIVE_STATUSES,
                first_day__lte=last_day,
                last_day__gte=first_day,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if clash is not None:
            raise Conflict(
                f"You already wait for {doctor.name} on overlapping dates (entry {clash})."
            )
        entry = WaitlistEntry.objects.create(
            patient=patient, doctor=doctor, first_day=first_day, last_day=last_day
        )
        audit_log(actor=actor or patient.user, action="waitlist.joined", obj=entry)
    return entry


def waitlist_leave(*, patient: Patient, ids: list[int], actor=None) -> list[WaitlistEntry]:
    """Remove the patient's live entries: all of them, or none. A held slot passes on."""
    wanted = set(ids)
    if not wanted:
        raise InvalidInput("waitlist-ids: Give at least one waitlist id.", field="waitlist-ids")
    now = clock.now()
    with transaction.atomic():
        mine = list(
            WaitlistEntry.objects.select_for_update().filter(
                patient=patient, pk__in=wanted, status__in=LIVE_STATUSES
            )
        )
        missing = wanted - {entry.pk for entry in mine}
        if missing:
            raise NotFound(
                f"No waitlist entry of yours with id {sorted(missing)[0]}.", field="waitlist-ids"
            )
        for entry in mine:
            changed = WaitlistEntry.objects.filter(pk=entry.pk, status=entry.status).update(
                status=EntryStatus.CANCELLED, ended_at=now, updated_at=now
            )
            if changed != 1:
                raise Conflict(f"Waitlist entry {entry.pk} changed meanwhile; nothing was removed.")
            audit_log(actor=actor or patient.user, action="waitlist.left", obj=entry)
            if entry.status == EntryStatus.OFFERED:
                transaction.on_commit(
                    lambda e=entry: waitlist_offer_soon(
                        doctor_id=e.doctor_id, day=e.offer_date, start=e.offer_start
                    )
                )
            entry.status = EntryStatus.CANCELLED
    return mine


def waitlist_claim(*, patient: Patient, entry_id: int, actor=None) -> Appointment:
    """Book the slot the entry's live offer holds for its patient."""
    entry = patient.waitlist_entries.select_related("doctor").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"No waitlist entry of yours with id {entry_id}.", field="waitlist_id")
    now = clock.now()
    if not entry.has_live_offer:
        raise Conflict(f"Waitlist entry {entry_id} has no live offer.")
    _race_window("claim")
    with transaction.atomic():
        if not _take_offer(entry.pk, now):
            raise Conflict(f"Waitlist entry {entry_id} has no live offer.")
        appointment = appointment_book(
            patient=patient,
            doctor=entry.doctor,
            day=entry.offer_date,
            start=entry.offer_start,
            actor=actor,
        )
        WaitlistEntry.objects.filter(pk=entry.pk).update(appointment=appointment)
        audit_log(
            actor=actor or patient.user,
            action="waitlist.claimed",
            obj=entry,
            appointment=appointment.pk,
        )
    return appointment


def waitlist_offer_slot(*, doctor_id: int, day: dt.date, start: dt.time) -> WaitlistEntry | None:
    """Offer a free slot to the first in line who is free then, and hold it for them.

    Safe to run any number of times, concurrently too: a slot that is booked,
    already offered, past or not bookable is left alone.
    """
    now = clock.now()
    doctor = Doctor.objects.filter(pk=doctor_id, is_active=True).first()
    first, last = booking_window()
    if doctor is None or not first <= day <= last or clock.combine(day, start) <= now:
        return None
    if start not in doctor_schedule_slots(doctor=doctor, first=day, last=day).get(day, []):
        return None
    with transaction.atomic():
        holds.doctor_lock(doctor_id)
        for pk in _lapsed(now).filter(doctor_id=doctor_id, offer_date=day, offer_start=start):
            _lapse(pk, now)
        if (
            Appointment.objects.active_slots()
            .filter(doctor_id=doctor_id, date=day, start=start)
            .exists()
        ):
            return None
        offered = WaitlistEntry.objects.filter(
            doctor_id=doctor_id, offer_date=day, offer_start=start, status=EntryStatus.OFFERED
        )
        if offered.exists():
            return None
        entry = _first_in_line(doctor_id=doctor_id, day=day, start=start)
        if entry is None:
            return None
        _race_window("offer")
        expires = min(
            now + dt.timedelta(minutes=settings.WAITLIST_HOLD_MINUTES), clock.combine(day, start)
        )
        try:
            with transaction.atomic():
                changed = WaitlistEntry.objects.filter(
                    pk=entry.pk, status=EntryStatus.WAITING
                ).update(
                    status=EntryStatus.OFFERED,
                    offer_date=day,
                    offer_start=start,
                    offered_at=now,
                    offer_expires_at=expires,
                    offers_made=F("offers_made") + 1,
                    updated_at=now,
                )
        except IntegrityError:
            return None  # another offer of this slot won: one slot, one patient
        if changed != 1:
            return None
        entry.refresh_from_db()
        audit_log(
            actor=None,
            action="waitlist.offered",
            obj=entry,
            date=str(day),
            slot=clock.slot_label(start),
        )
        # The email and SMS are promised in the offer's own transaction (the outbox).
        event_emit(name=notifications.OFFER, object_id=entry.pk)
    transaction.on_commit(lambda: _release_at(expires))
    return entry


def _first_in_line(*, doctor_id: int, day: dt.date, start: dt.time) -> WaitlistEntry | None:
    """The earliest waiting entry covering the day whose patient has nothing else then."""
    busy = Appointment.objects.active_slots().filter(date=day, start=start).values("patient_id")
    holding = WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED, offer_date=day, offer_start=start
    ).values("patient_id")
    return (
        WaitlistEntry.objects.filter(
            doctor_id=doctor_id,
            status=EntryStatus.WAITING,
            first_day__lte=day,
            last_day__gte=day,
        )
        .exclude(patient_id__in=busy)
        .exclude(patient_id__in=holding)
        .order_by("created_at", "pk")
        # An entry locked by someone (being removed) is passed over, not waited for.
        .select_for_update(skip_locked=True)
        .first()
    )


def _lapsed(now: dt.datetime):
    return WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", flat=True)


def _take_offer(pk: int, now: dt.datetime) -> bool:
    """Compare-and-swap a live offer to `booked`: of a claim and a lapse (or two claims)
    exactly one changes the row."""
    changed = WaitlistEntry.objects.filter(
        pk=pk, status=EntryStatus.OFFERED, offer_expires_at__gt=now
    ).update(status=EntryStatus.BOOKED, ended_at=now, updated_at=now)
    return changed == 1


def _lapse(pk: int, now: dt.datetime) -> bool:
    """Compare-and-swap an offered entry whose hold has lapsed to `expired`."""
    changed = WaitlistEntry.objects.filter(
        pk=pk, status=EntryStatus.OFFERED, offer_expires_at__lte=now
    ).update(status=EntryStatus.EXPIRED, ended_at=now, updated_at=now)
    return changed == 1


def waitlist_release_lapsed() -> int:
    """Release every lapsed hold and pass its slot to the next in line; expire old entries.

    Run by the periodic `manage.py waitlist_release` (cron) and by a task each
    offer schedules for its expiry (with a queue that can defer, like the db_worker's).
    """
    now = clock.now()
    released = 0
    lapsed = WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", "doctor_id", "offer_date", "offer_start")
    for pk, doctor_id, day, start in list(lapsed):
        _race_window("lapse")
        if _lapse(pk, now):
            released += 1
            logger.info("Waitlist offer %s lapsed", pk)
            waitlist_offer_slot(doctor_id=doctor_id, day=day, start=start)
    WaitlistEntry.objects.filter(status=EntryStatus.WAITING, last_day__lt=now.date()).update(
        status=EntryStatus.EXPIRED, ended_at=now, updated_at=now
    )
    return released


def waitlist_offer_soon(*, doctor_id: int, day: dt.date, start: dt.time) -> None:
    from clinic.waitlist.tasks import offer_slot

    try:
        offer_slot.enqueue(doctor_id=doctor_id, day=day.isoformat(), start=start.isoformat())
    except Exception:
        logger.exception("Could not enqueue the offer of %s %s %s", doctor_id, day, start)


def _release_at(when: dt.datetime) -> None:
    """Ask the queue to release the hold when it lapses, if it can wait that long."""
    from clinic.waitlist.tasks import release_lapsed

    if not release_lapsed.get_backend().supports_defer:
        return  # the in-process queue cannot wait: the periodic command releases it
    try:
        release_lapsed.using(run_after=when + dt.timedelta(seconds=1)).enqueue()
    except Exception:
        logger.exception("Could not schedule the release of holds lapsing at %s", when)
