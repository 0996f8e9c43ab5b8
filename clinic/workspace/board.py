"""The day board's read: one site's day, a column per doctor and a row per slot time.

Everything comes from the domain's reads (the doctors' cached weeks, the free-slot
selector, the visit-state table), in a constant number of queries however many
doctors and appointments the day holds. No rule is decided here: which buttons a
visit shows is clinic.appointments.states' answer, and the click goes to
clinic.appointments.services.appointment_change_status.
"""

import datetime as dt
from dataclasses import dataclass, field

from clinic.appointments import states
from clinic.appointments.models import Appointment, Status
from clinic.core import clock
from clinic.doctors.cache import doctor_week
from clinic.doctors.models import Doctor, Location
from clinic.doctors.selectors import doctors_free_slots_on
from clinic.patients.models import age_on

# The one-click steps of the board, in the order their buttons show.
BOARD_STEPS = (
    (Status.ARRIVED, "Arrived"),
    (Status.IN_CONSULTATION, "In consultation"),
    (Status.COMPLETED, "Done"),
    (Status.NO_SHOW, "No-show"),
)
# Visits the board leaves out: they hold no time and nobody comes.
HIDDEN_STATUSES = (Status.CANCELLED, Status.ENTERED_IN_ERROR)


@dataclass
class Visit:
    appointment: Appointment
    age: int
    # Minutes since arrival (still waiting), or from arrival to going in.
    waited_minutes: int | None
    still_waiting: bool
    steps: list[tuple[str, str]]

    @property
    def waited_label(self) -> str:
        return waiting_label(self.waited_minutes or 0)


@dataclass
class Cell:
    visits: list[Visit] = field(default_factory=list)
    free: bool = False
    # Inside a longer visit that started in an earlier row.
    continued: bool = False


@dataclass
class Row:
    at: dt.time
    cells: list[Cell]

    @property
    def label(self) -> str:
        return clock.slot_label(self.at)


@dataclass
class Board:
    day: dt.date
    location: Location | None
    locations: list[Location]
    doctors: list[Doctor]
    rows: list[Row]
    # Doctors of this site on time off that day (their booked visits still show).
    off: set[int]
    # (state's label, how many visits are in it), in the states' order.
    counts: list[tuple[str, int]]

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()


def board_for(*, day: dt.date, location_id: int | None = None) -> Board:
    """The board of `day` at the site `location_id` (None: the first site with doctors
    that day, else the first site)."""
    locations = list(Location.objects.order_by("name", "pk"))
    doctors = list(Doctor.objects.filter(is_active=True).order_by("name", "pk"))
    weeks = {d.pk: doctor_week(doctor_id=d.pk) for d in doctors}
    # Each doctor's sessions that weekday by site (time off or not: their visits still show).
    sessions = {d.pk: weeks[d.pk].sessions.get(day.weekday(), ()) for d in doctors}
    location = _chosen(locations, location_id, sessions)
    if location is None:
        return Board(day, None, locations, [], [], set(), [])
    here = {
        pk: [s for s in found if s.location_id == location.pk] for pk, found in sessions.items()
    }
    columns = [d for d in doctors if here[d.pk]]
    off = {d.pk for d in columns if weeks[d.pk].is_off(day)}
    visits = _visits_of(day=day, here=here, columns=columns)
    free = doctors_free_slots_on(doctors=[d for d in columns if d.pk not in off], day=day)
    rows = _rows(columns=columns, here=here, off=off, visits=visits, free=free)
    counts = {}
    for by_start in visits.values():
        for found in by_start.values():
            for visit in found:
                counts[visit.appointment.status] = counts.get(visit.appointment.status, 0) + 1
    counts = [(Status(s).label, counts[s]) for s in Status.values if s in counts]
    return Board(day, location, locations, columns, rows, off, counts)


def _chosen(locations, location_id, sessions) -> Location | None:
    if location_id is not None:
        return next((loc for loc in locations if loc.pk == location_id), None)
    working = {s.location_id for found in sessions.values() for s in found}
    first = locations[0] if locations else None
    return next((loc for loc in locations if loc.pk in working), first)


def _visits_of(*, day, here, columns) -> dict[int, dict[dt.time, list[Visit]]]:
    """The day's visits at this site, by doctor and start: one query."""
    now = clock.now()
    found: dict[int, dict[dt.time, list[Visit]]] = {d.pk: {} for d in columns}
    appointments = (
        Appointment.objects.filter(date=day, doctor_id__in=[d.pk for d in columns])
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("patient", "visit_type")
        .order_by("start", "pk")
    )
    for appointment in appointments:
        if not any(s.start <= appointment.start < s.end for s in here[appointment.doctor_id]):
            continue  # a visit of this doctor's session at another site
        found[appointment.doctor_id].setdefault(appointment.start, []).append(
            _visit(appointment, now)
        )
    return found


def _visit(appointment: Appointment, now: dt.datetime) -> Visit:
    arrived = appointment.arrived_at
    still_waiting = appointment.status == Status.ARRIVED and arrived is not None
    waited = None
    if still_waiting:
        waited = max(0, int((now - arrived).total_seconds() // 60))
    elif arrived is not None and appointment.consultation_started_at is not None:
        waited = max(0, int((appointment.consultation_started_at - arrived).total_seconds() // 60))
    steps = [
        (status, label)
        for status, label in BOARD_STEPS
        if states.allowed(appointment.status, status)
        and states.timing_refusal(
            from_status=appointment.status,
            to_status=status,
            day=appointment.date,
            starts_at=appointment.starts_at,
            now=now,
        )
        is None
    ]
    return Visit(
        appointment=appointment,
        age=age_on(appointment.patient.dob, appointment.date),
        waited_minutes=waited,
        still_waiting=still_waiting,
        steps=steps,
    )


def _rows(*, columns, here, off, visits, free) -> list[Row]:
    times = set()
    for doctor in columns:
        if doctor.pk not in off:
            for session in here[doctor.pk]:
                times.update(session.slots)
        times.update(visits[doctor.pk])
    rows = []
    for at in sorted(times):
        cells = []
        for doctor in columns:
            cell = Cell(visits=visits[doctor.pk].get(at, []))
            if not cell.visits:
                cell.free = at in free.get(doctor.pk, ())
                cell.continued = any(
                    start < at < v.appointment.end
                    for start, found in visits[doctor.pk].items()
                    for v in found
                    if v.appointment.status in (Status.BOOKED, Status.ARRIVED,
                                                Status.IN_CONSULTATION, Status.COMPLETED)
                )
            cells.append(cell)
        rows.append(Row(at, cells))
    return rows


def waiting_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
