"""Slot: one of a doctor's schedule slots on a day, computed (nothing is stored).

Its id names the doctor, day and time (`12-20300107-0930`), so it is stable:
the same slot has the same id in every search, and a booked slot stays readable
at that id. `free` means bookable now: exactly the times /cms-api/slots/ lists,
from the same selector (clinic.doctors.selectors.doctor_free_slots_between);
every other slot of the schedule is `busy`. A search covers the slots still to
start, up to the end of the booking window; a read works for any day.
"""

import datetime as dt
import re
from dataclasses import dataclass

from clinic.appointments.models import Appointment
from clinic.core import clock
from clinic.doctors.models import Doctor
from clinic.doctors.selectors import (
    booking_window,
    doctor_day_sessions,
    doctor_free_slots,
    doctor_free_slots_between,
    doctor_schedule_slots,
)
from clinic.fhir.errors import ResourceNotFound
from clinic.fhir.mappings.common import instant, reference, request_memo
from clinic.fhir.mappings.practitioner_role import specialty
from clinic.fhir.registry import ID_PARAM, Page, ResourceType, SearchParam
from clinic.fhir.search import (
    Query,
    date_bounds,
    int_id,
    parse_date,
    reference_id,
    require_modifier,
)

SLOT_ID = re.compile(r"^(\d{1,18})-(\d{8})-(\d{4})$")
STATUSES = ("free", "busy")


@dataclass(frozen=True)
class SlotRow:
    doctor: Doctor
    day: dt.date
    start: dt.time
    minutes: int
    status: str

    @property
    def id(self) -> str:
        return slot_id(self.doctor.pk, self.day, self.start)

    @property
    def starts_at(self) -> dt.datetime:
        return clock.combine(self.day, self.start)


def slot_id(doctor_id: int, day: dt.date, start: dt.time) -> str:
    return f"{doctor_id}-{day:%Y%m%d}-{start:%H%M}"


def parse_slot_id(value: str) -> tuple[int, dt.date, dt.time] | None:
    match = SLOT_ID.match(value)
    if match is None:
        return None
    doctor, day, at = match.groups()
    try:
        return (
            int(doctor),
            dt.datetime.strptime(day, "%Y%m%d").date(),
            dt.datetime.strptime(at, "%H%M").time(),
        )
    except ValueError:
        return None


def to_fhir(slot: SlotRow, *, request) -> dict:
    zone = request_memo(request).zone
    # SlotRow.starts_at, with the zone looked up once per request.
    start = dt.datetime.combine(slot.day, slot.start, tzinfo=zone)
    resource = {
        "resourceType": "Slot",
        "id": slot.id,
        "schedule": reference("Schedule", slot.doctor.pk),
        "status": slot.status,
        "start": instant(start, zone),
        "end": instant(start + dt.timedelta(minutes=slot.minutes), zone),
    }
    if specialties := specialty(slot.doctor):
        resource["specialty"] = specialties
    return resource


def _session_minutes(
    doctor: Doctor, day: dt.date, at: dt.time, memo: dict | None = None
) -> int | None:
    """The slot length of the doctor's session holding a slot at `at`, or None.
    `memo`: as for clinic.doctors.cache.doctor_week."""
    sessions = doctor_day_sessions(doctor=doctor, day=day, memo=memo)
    session = next((s for s in sessions if at in s.slots), None)
    return session.slot_minutes if session is not None else None


def slot_get(*, slot_key: str) -> SlotRow | None:
    """The slot with this id: a slot of the doctor's schedule that day, or the time of
    one of the doctor's appointments (so that every appointment's slot resolves)."""
    parsed = parse_slot_id(slot_key)
    if parsed is None:
        return None
    doctor_id, day, at = parsed
    doctor = Doctor.objects.filter(pk=doctor_id).first()
    if doctor is None:
        return None
    minutes = _session_minutes(doctor, day, at)
    if minutes is None:
        visit = (
            Appointment.objects.filter(doctor=doctor, date=day, start=at)
            .values_list("end", flat=True)
            .first()
        )
        if visit is None:
            return None
        minutes = (clock.combine(day, visit) - clock.combine(day, at)).seconds // 60
    free = at in doctor_free_slots(doctor=doctor, day=day)
    return SlotRow(doctor, day, at, minutes, "free" if free else "busy")


class SlotResource(ResourceType):
    def read(self, request, resource_id: str) -> dict:
        slot = slot_get(slot_key=resource_id)
        if slot is None:
            raise ResourceNotFound(f"Slot/{resource_id} is not known.")
        return to_fhir(slot, request=request)

    def search(self, request, query: Query) -> Page:
        doctor_ids, keys, statuses, starts = None, None, set(STATUSES), []
        for criterion in query.criteria:
            if criterion.name == "schedule":
                found = _schedule_ids(criterion)
                doctor_ids = found if doctor_ids is None else doctor_ids & found
            elif criterion.name == "_id":
                require_modifier(criterion)
                found = {parsed for v in criterion.values if (parsed := parse_slot_id(v))}
                keys = found if keys is None else keys & found
            elif criterion.name == "status":
                require_modifier(criterion)
                statuses &= set(criterion.values)
            elif criterion.name == "start":
                require_modifier(criterion)
                starts.append([parse_date(value) for value in criterion.values])
        if keys is not None:
            wanted = {doctor for doctor, _, _ in keys}
            doctor_ids = wanted if doctor_ids is None else doctor_ids & wanted
        slots = _matching(doctor_ids, keys, statuses, starts)
        page = slots[query.offset : query.offset + query.count] if query.count else []
        return Page([to_fhir(slot, request=request) for slot in page], len(slots))


def _schedule_ids(criterion) -> set[int]:
    ids = set()
    for value in criterion.values:
        kind, ident = reference_id(value, types=("Schedule",), modifier=criterion.modifier)
        if kind == "Schedule" and (pk := int_id(ident)) is not None:
            ids.add(pk)
    return ids


def _matching(doctor_ids, keys, statuses, starts) -> list[SlotRow]:
    """Every slot still to start in the booking window that meets all the criteria,
    soonest first. Per doctor: the schedule from the cache and the free times from
    the booking selector (a few queries), whatever the number of appointments."""
    if not statuses:
        return []
    now = clock.now()
    first, last = booking_window()
    # Single-valued start criteria narrow the days to compute.
    low, high = date_bounds([values[0] for values in starts if len(values) == 1])
    if low is not None:
        first = max(first, low.astimezone(now.tzinfo).date())
    if high is not None:
        if high <= now:
            return []
        last = min(last, (high - dt.timedelta(microseconds=1)).astimezone(now.tzinfo).date())
    if first > last:
        return []
    doctors = Doctor.objects.filter(is_active=True).order_by("pk")
    if doctor_ids is not None:
        doctors = doctors.filter(pk__in=doctor_ids)
    found = []
    weeks: dict = {}  # each doctor's week, read from the cache once, not once per slot
    for doctor in doctors:
        schedule = doctor_schedule_slots(doctor=doctor, first=first, last=last)
        free = doctor_free_slots_between(doctor=doctor, first=first, last=last)
        for day, times in schedule.items():
            free_today = set(free.get(day, ()))
            for at in times:
                if keys is not None and (doctor.pk, day, at) not in keys:
                    continue
                status = "free" if at in free_today else "busy"
                if status not in statuses:
                    continue
                starts_at = clock.combine(day, at)
                if starts_at <= now:
                    continue
                if not all(any(c.matches_instant(starts_at) for c in cr) for cr in starts):
                    continue
                minutes = _session_minutes(doctor, day, at, weeks)
                found.append(SlotRow(doctor, day, at, minutes, status))
    found.sort(key=lambda slot: (slot.starts_at, slot.doctor.pk))
    return found


RESOURCE = SlotResource(
    name="Slot",
    params={
        "_id": ID_PARAM,
        "schedule": SearchParam("reference", None, "The doctor's Schedule."),
        "start": SearchParam(
            "date", None, "When the slot starts (prefixes eq, ne, gt, ge, lt, le, sa, eb)."
        ),
        "status": SearchParam("token", None, "free (bookable now) or busy."),
    },
)
