"""The role table (docs/roles.md) as a test: every workspace URL and action, tried as
every kind of caller.

One row per URL or action: its name, who may use it, and how to call it. A row's
roles get a page or an action's answer (not a refusal); every other staff role gets
the 403 page; a patient's login gets the 403 page; nobody signed in, and a staff
login that did not pass its second factor, are sent to the staff sign-in.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.urls import reverse

from clinic.appointments.services import appointment_book
from clinic.appointments.visit_types import visit_type_default
from clinic.staff.roles import Role
from clinic.testing import (
    FIXED_NOW,
    make_doctor,
    make_patient,
    make_staff,
    next_weekday,
    verified_login,
)

FRONT_DESK, DOCTOR, LAB, MANAGER = (r.value for r in Role)
STAFF = frozenset(Role.values)
CALLERS = ["anonymous", "patient", "unverified", *Role.values]


@dataclass
class Cast:
    patient: object
    doctor: object
    users: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    url_name: str
    allowed: frozenset
    args: Callable[[Cast], list] = lambda cast: []
    method: str = "get"
    data: Callable[[Cast], dict] = lambda cast: {}

    def __str__(self):
        return f"{self.method.upper()} {self.url_name}"


# The manager's pages and actions (their own list, so other pages' rows merge apart).
MANAGE_ROWS = [
    Row("workspace:manager", frozenset({MANAGER})),
    Row("workspace:manage_reports", frozenset({MANAGER})),
    Row("workspace:manage_reports_csv", frozenset({MANAGER}), args=lambda c: ["doctors-summary"]),
    Row("workspace:manage_staff", frozenset({MANAGER})),
    Row("workspace:manage_staff_new", frozenset({MANAGER})),
    Row("workspace:manage_staff_edit", frozenset({MANAGER}), args=lambda c: [c.users[LAB].pk]),
    Row("workspace:manage_staff_active", frozenset({MANAGER}), method="post",
        args=lambda c: [c.users[LAB].pk], data=lambda c: {"active": "0"}),
    Row("workspace:manage_staff_reset_two_step", frozenset({MANAGER}), method="post",
        args=lambda c: [c.users[LAB].pk]),
    Row("workspace:manage_sessions", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:manage_session_new", frozenset({MANAGER})),
    Row("workspace:manage_session_edit", frozenset({MANAGER}),
        args=lambda c: [c.doctor.schedules.first().pk]),
    Row("workspace:manage_time_off_new", frozenset({MANAGER})),
    Row("workspace:manage_time_off_edit", frozenset({MANAGER}),
        args=lambda c: [c.doctor.time_off.create(start_date=FIXED_NOW.date(),
                                                 end_date=FIXED_NOW.date()).pk]),
    Row("workspace:manage_visit_types", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:manage_visit_type_new", frozenset({MANAGER})),
    Row("workspace:manage_visit_type_edit", frozenset({MANAGER}),
        args=lambda c: [visit_type_default().pk]),
    Row("workspace:manage_sites", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:manage_site_new", frozenset({MANAGER})),
    Row("workspace:manage_site_edit", frozenset({MANAGER}),
        args=lambda c: [c.doctor.schedules.first().location_id]),
]

# Adding a page or an action to the workspace: one row here.
ROWS = [
    Row("workspace:home", STAFF),
    Row("workspace:access_log", frozenset({DOCTOR, MANAGER}), args=lambda c: [c.patient.pk]),
    # The front desk (clinic/workspace/views/desk/): finding patients and their visits.
    Row("workspace:desk", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:desk_patient", frozenset({FRONT_DESK, DOCTOR, MANAGER}),
        args=lambda c: [c.patient.pk]),
    Row("workspace:board", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:board_grid", frozenset({FRONT_DESK, DOCTOR, MANAGER})),
    Row("workspace:board_mark", frozenset({FRONT_DESK, DOCTOR, MANAGER}), method="post",
        args=lambda c: [c.patient.appointments.get().pk], data=lambda c: {"status": "arrived"}),
    # The doctor's room and the lab (all their actions: tests/test_room.py, test_lab.py).
    Row("workspace:doctor_day", frozenset({DOCTOR})),
    Row("workspace:room_patient", frozenset({DOCTOR, MANAGER}), args=lambda c: [c.patient.pk]),
    Row("workspace:room_visit", frozenset({DOCTOR, MANAGER}),
        args=lambda c: [c.patient.appointments.get().pk]),
    Row("workspace:lab_queue", frozenset({LAB, MANAGER})),
    Row("workspace:desk_book", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [c.patient.pk]),
    Row("workspace:desk_book", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [c.patient.pk],
        method="post", data=lambda c: desk_slot(c, "10:00")),
    Row("workspace:desk_walk_in", frozenset({FRONT_DESK, MANAGER})),
    Row("workspace:desk_walk_in", frozenset({FRONT_DESK, MANAGER}), method="post",
        data=lambda c: {"given_name": "Walk", "gender": "Male", "dob": "1980-01-01"}),
    Row("workspace:desk_move", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [booked(c)]),
    Row("workspace:desk_move", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [booked(c)],
        method="post", data=lambda c: desk_slot(c, "10:30")),
    Row("workspace:desk_cancel", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [booked(c)]),
    Row("workspace:desk_cancel", frozenset({FRONT_DESK, MANAGER}), args=lambda c: [booked(c)],
        method="post", data=lambda c: {"reason": "The caller is unwell."}),
    Row("workspace:desk_slip", frozenset({FRONT_DESK, DOCTOR, MANAGER}),
        args=lambda c: [booked(c)]),
    *MANAGE_ROWS,
]


@pytest.fixture
def cast(db):
    with time_machine.travel(FIXED_NOW, tick=False):
        yield _cast()


def _cast() -> Cast:
    doctor = make_doctor(name="Dr. Role Table")
    patient = make_patient(first_name="Rita", last_name="Roles")
    # The doctor sees this patient: their record is within the doctor's scope.
    day = next_weekday(FIXED_NOW.date(), 1)
    appointment_book(patient=patient, doctor=doctor, day=day, start=doctor_first_slot(doctor))
    users = {role: make_staff(role) for role in Role.values}
    users[DOCTOR] = make_staff(DOCTOR, doctor=doctor)
    return Cast(patient=patient, doctor=doctor, users=users)


def booked(cast: Cast) -> int:
    return cast.patient.appointments.get().pk


def desk_slot(cast: Cast, at: str) -> dict:
    """A free slot as the desk's pickers post it: the cast's doctor, next Tuesday."""
    day = next_weekday(FIXED_NOW.date(), 1)
    return {"date": day.isoformat(), "slot": f"{cast.doctor.pk}/{at}"}


def doctor_first_slot(doctor):
    return doctor.schedules.order_by("weekday", "start").first().start


def sign_in(client, cast: Cast, caller: str) -> None:
    if caller == "anonymous":
        return
    if caller == "patient":
        client.force_login(cast.patient.user)
    elif caller == "unverified":
        # The password alone (e.g. through the portal's login): no second factor.
        client.force_login(cast.users[MANAGER])
    else:
        verified_login(client, cast.users[caller])


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_role_table(client, cast, row: Row, caller: str):
    sign_in(client, cast, caller)
    url = reverse(row.url_name, args=row.args(cast))
    response = getattr(client, row.method)(url, row.data(cast))
    signin = reverse("workspace:login")
    if caller in ("anonymous", "unverified"):
        assert response.status_code == 302
        assert response["Location"].startswith(signin)
    elif caller == "patient":
        assert response.status_code == 403
    elif caller in row.allowed:
        assert response.status_code not in (401, 403, 404, 405), response.status_code
        assert not response.get("Location", "").startswith(signin)
    else:
        assert response.status_code == 403
        assert b"Your role does not include this page" in response.content


def test_an_htmx_request_without_a_session_redirects_the_whole_page(client, cast):
    """htmx swaps would put the sign-in page inside the board: a 401 with HX-Redirect."""
    response = client.get(reverse("workspace:home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("workspace:login"))


def test_a_doctor_sees_the_access_log_only_of_patients_they_see(client, cast):
    other = make_patient(first_name="Not", last_name="Theirs")
    verified_login(client, cast.users[DOCTOR])
    assert client.get(reverse("workspace:access_log", args=[other.pk])).status_code == 403
    assert client.get(reverse("workspace:access_log", args=[cast.patient.pk])).status_code == 200
    verified_login(client, cast.users[MANAGER])
    assert client.get(reverse("workspace:access_log", args=[other.pk])).status_code == 200
