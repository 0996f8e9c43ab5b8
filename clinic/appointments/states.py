"""Which state changes a visit may make, and when (docs/visits.md has the table).

Only clinic.appointments.services.appointment_change_status reads this: every
change, from the API, the portal or the admin, goes through that one service.
"""

import datetime as dt

from clinic.appointments.models import Status

# from -> the states it may move to. Cancelled, no-show, completed and entered in
# error are final, except that any state but entered in error may be marked entered
# in error (a record that should never have existed).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset(
        {
            Status.ARRIVED,
            Status.COMPLETED,
            Status.NO_SHOW,
            Status.CANCELLED,
            Status.ENTERED_IN_ERROR,
        }
    ),
    Status.ARRIVED: frozenset(
        {Status.IN_CONSULTATION, Status.COMPLETED, Status.CANCELLED, Status.ENTERED_IN_ERROR}
    ),
    Status.IN_CONSULTATION: frozenset({Status.COMPLETED, Status.ENTERED_IN_ERROR}),
    Status.COMPLETED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.NO_SHOW: frozenset({Status.ENTERED_IN_ERROR}),
    Status.CANCELLED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.ENTERED_IN_ERROR: frozenset(),
}

# The timestamp field each state stamps when reached.
STAMPS = {
    Status.ARRIVED: "arrived_at",
    Status.IN_CONSULTATION: "consultation_started_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def timing_refusal(
    *, from_status: str, to_status: str, day: dt.date, starts_at: dt.datetime, now: dt.datetime
) -> str | None:
    """Why the change cannot happen at `now`, or None.

    Arriving and going in happen on the visit's day only (early is fine: the doctor
    may see someone early). A no-show, and a completion nobody saw arrive, need the
    visit to have started."""
    if to_status in (Status.ARRIVED, Status.IN_CONSULTATION) and day != now.date():
        return "A patient can arrive and be seen only on the day of the visit."
    if to_status == Status.NO_SHOW and starts_at > now:
        return "This appointment has not started yet."
    if to_status == Status.COMPLETED and from_status == Status.BOOKED and starts_at > now:
        return "This appointment has not started yet."
    return None
