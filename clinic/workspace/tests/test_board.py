"""The day board (/clinic/board/): who sees it, the one-click visit steps through the
state service, waiting times, the grid fragment the page polls, and its query count."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.appointments.models import Appointment, AppointmentStatusChange, Status
from clinic.appointments.services import appointment_book, appointment_change_status
from clinic.core.clock import now as clock_now
from clinic.doctors.models import Location
from clinic.staff.middleware import LAST_SEEN_KEY
from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, make_doctor, make_patient, make_staff, verified_login

FRONT_DESK, DOCTOR, LAB, MANAGER = (r.value for r in Role)
TODAY = FIXED_NOW.date()  # Monday 2030-01-07, 08:00; the default sessions run 09:00-12:00
BOARD = reverse("workspace:board")
GRID = reverse("workspace:board_grid")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hour, minute), FIXED_NOW.tzinfo)


@pytest.fixture
def clock_at_eight(db):
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(clock_at_eight):
    return make_doctor(name="Dr. Board One")


@pytest.fixture
def visit(doctor):
    patient = make_patient(first_name="Asha", last_name="Arrives", phone="+919800000001")
    return appointment_book(patient=patient, doctor=doctor, day=TODAY, start=dt.time(9, 0))


def signed_in(client, role: str):
    user = make_staff(role)
    verified_login(client, user)
    return user


def mark(client, appointment, status: str, **headers):
    return client.post(
        reverse("workspace:board_mark", args=[appointment.pk]),
        {"status": status},
        HTTP_HX_REQUEST="true",
        **headers,
    )


@pytest.mark.parametrize("role", [FRONT_DESK, DOCTOR, MANAGER])
def test_front_desk_doctors_and_managers_see_the_board(client, visit, role):
    signed_in(client, role)
    response = client.get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr. Board One" in html
    assert "Asha Arrives" in html
    assert "39 y" in html  # born 1990-05-17
    assert "+919800000001" in html
    assert "Consultation" in html  # the visit type
    assert "Booked" in html
    # The default sessions' other slots are free.
    assert html.count(">Free<") == 5


def test_the_lab_gets_the_403_page(client, visit):
    signed_in(client, LAB)
    for url in (BOARD, GRID):
        assert client.get(url).status_code == 403
    assert mark(client, visit, Status.ARRIVED).status_code == 403
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED


def test_the_board_is_in_the_nav_of_those_who_may_see_it(client, visit):
    home = reverse("workspace:home") + "?stay=1"
    signed_in(client, FRONT_DESK)
    assert f'href="{BOARD}"' in client.get(home).content.decode()
    signed_in(client, LAB)
    assert f'href="{BOARD}"' not in client.get(home).content.decode()


def test_marking_a_visit_goes_through_the_state_service(client, visit):
    user = signed_in(client, FRONT_DESK)
    response = mark(client, visit, Status.ARRIVED)
    assert response.status_code == 200
    assert "Asha Arrives is marked arrived." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Status.ARRIVED
    assert visit.arrived_at == FIXED_NOW
    step = AppointmentStatusChange.objects.get(appointment=visit)
    assert (step.from_status, step.to_status, step.changed_by) == (
        Status.BOOKED, Status.ARRIVED, user,
    )
    assert mark(client, visit, Status.IN_CONSULTATION).status_code == 200
    assert mark(client, visit, Status.COMPLETED).status_code == 200
    visit.refresh_from_db()
    assert visit.status == Status.COMPLETED


def test_a_refused_step_says_why_and_changes_nothing(client, visit):
    signed_in(client, FRONT_DESK)
    response = mark(client, visit, Status.IN_CONSULTATION)  # booked cannot go straight in
    assert response.status_code == 409
    assert "Not changed. Asha Arrives:" in response.content.decode()
    assert "cannot become in consultation" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED
    assert not AppointmentStatusChange.objects.filter(appointment=visit).exists()


def test_a_no_show_before_the_visit_starts_is_refused(client, visit):
    signed_in(client, FRONT_DESK)
    response = mark(client, visit, Status.NO_SHOW)  # 08:00, the visit is at 09:00
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED


def test_only_the_board_steps_are_accepted(client, visit):
    signed_in(client, FRONT_DESK)
    for status in (Status.CANCELLED, "nonsense", ""):
        response = mark(client, visit, status)
        assert response.status_code == 400
        assert "Choose arrived, in consultation, done or no-show." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED


def test_an_unknown_appointment_is_a_404(client, visit):
    signed_in(client, FRONT_DESK)
    response = client.post(reverse("workspace:board_mark", args=[999999]), {"status": "arrived"})
    assert response.status_code == 404


def test_without_htmx_a_step_returns_to_the_board(client, visit):
    signed_in(client, MANAGER)
    response = client.post(
        reverse("workspace:board_mark", args=[visit.pk]), {"status": Status.ARRIVED}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(BOARD + "?date=2030-01-07")
    visit.refresh_from_db()
    assert visit.status == Status.ARRIVED


def test_the_buttons_are_the_ones_the_state_rules_allow(client, visit):
    signed_in(client, FRONT_DESK)
    html = client.get(GRID).content.decode()
    assert 'value="arrived"' in html
    # Before the visit starts: no no-show, no done; booked cannot go straight in.
    for refused in ("no_show", "completed", "in_consultation"):
        assert f'value="{refused}"' not in html
    mark(client, visit, Status.ARRIVED)
    html = client.get(GRID).content.decode()
    assert 'value="in_consultation"' in html and 'value="completed"' in html
    assert 'value="arrived"' not in html and 'value="no_show"' not in html


def test_only_who_may_change_states_sees_the_buttons(client, visit):
    from django.contrib.auth.models import Permission

    user = signed_in(client, FRONT_DESK)
    assert 'name="status"' in client.get(GRID).content.decode()
    viewer = make_staff()
    viewer.user_permissions.add(Permission.objects.get(codename="view_appointment"))
    verified_login(client, viewer)
    response = client.get(GRID)
    assert response.status_code == 200 and "Asha Arrives" in response.content.decode()
    assert 'name="status"' not in response.content.decode()
    assert mark(client, visit, Status.ARRIVED).status_code == 403
    assert user.has_perm("appointments.change_visit_state")


def _wait_until(client, clock, until: dt.datetime) -> None:
    """Move the clock on, the desk busy meanwhile (its session would end idle)."""
    while clock_now() + dt.timedelta(minutes=10) < until:
        clock.shift(dt.timedelta(minutes=10))
        client.get(BOARD)
    clock.move_to(until)


def test_the_board_shows_how_long_an_arrived_patient_has_waited(client, visit, clock_at_eight):
    signed_in(client, FRONT_DESK)
    mark(client, visit, Status.ARRIVED)  # at 08:00
    _wait_until(client, clock_at_eight, at(8, 47))
    assert "Waiting 47 min" in client.get(GRID).content.decode()
    _wait_until(client, clock_at_eight, at(9, 25))
    assert "Waiting 1 h 25 min" in client.get(GRID).content.decode()
    mark(client, visit, Status.IN_CONSULTATION)
    html = client.get(GRID).content.decode()
    assert "waited 1 h 25 min" in html and "Waiting" not in html


def test_the_grid_fragment_is_the_table_alone(client, visit):
    signed_in(client, FRONT_DESK)
    response = client.get(GRID, {"date": "2030-01-07"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and "<html" not in html and "Asha Arrives" in html
    page = client.get(BOARD).content.decode()
    # The page polls this fragment, marked as a background refresh.
    assert 'hx-trigger="every 30s"' in page
    assert '"X-Background-Refresh": "1"' in page
    assert f'hx-get="{GRID}?date=2030-01-07' in page


def test_the_polling_does_not_keep_the_session_alive(client, visit, clock_at_eight):
    signed_in(client, FRONT_DESK)
    client.get(BOARD)
    seen = client.session[LAST_SEEN_KEY]
    clock_at_eight.shift(dt.timedelta(minutes=5))
    refresh = client.get(GRID, HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND_REFRESH="1")
    assert refresh.status_code == 200
    assert client.session[LAST_SEEN_KEY] == seen
    clock_at_eight.shift(dt.timedelta(minutes=5))
    mark(client, visit, Status.ARRIVED)  # a click is activity
    assert client.session[LAST_SEEN_KEY] > seen


def test_any_date_and_site(client, clock_at_eight):
    other_site = Location.objects.create(name="Second Site", address="2 Road")
    here = make_doctor(name="Dr. Main Site")
    there = make_doctor(name="Dr. Other Site", schedule=False)
    from clinic.doctors.services import doctor_schedule_default

    doctor_schedule_default(doctor=there, location=other_site)
    tuesday = TODAY + dt.timedelta(days=1)
    appointment_book(
        patient=make_patient(first_name="Tess", last_name="Tuesday"),
        doctor=there, day=tuesday, start=dt.time(10, 0),
    )
    signed_in(client, FRONT_DESK)
    html = client.get(BOARD, {"date": tuesday.isoformat(), "location": other_site.pk}).content
    html = html.decode()
    assert "Dr. Other Site" in html and "Tess Tuesday" in html and here.name not in html
    html = client.get(BOARD, {"date": tuesday.isoformat()}).content.decode()
    assert here.name in html  # the first site with doctors that day
    # Sunday: nobody works.
    sunday = TODAY - dt.timedelta(days=1)
    html = client.get(BOARD, {"date": sunday.isoformat(), "location": other_site.pk}).content
    assert b"No doctor works at Second Site" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"date": "2030-02-30"}, "The date must be a day"),
        ({"date": "yesterday"}, "The date must be a day"),
        ({"location": "abc"}, "Choose a site from the list."),
        ({"location": "999999"}, "There is no such site."),
    ],
)
def test_bad_queries_are_a_clear_400(client, visit, query, message):
    signed_in(client, FRONT_DESK)
    response = client.get(BOARD, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_doctor_on_leave_shows_with_their_visits_and_no_free_slot(client, visit, doctor):
    from clinic.doctors.models import TimeOff

    TimeOff.objects.create(doctor=doctor, start_date=TODAY, end_date=TODAY)
    signed_in(client, FRONT_DESK)
    html = client.get(BOARD).content.decode()
    assert "on leave" in html and "Asha Arrives" in html and ">Free<" not in html


def _fill(doctors: int, per_doctor: int) -> None:
    for n in range(doctors):
        doctor = make_doctor(name=f"Dr. Many {n}")
        for k in range(per_doctor):
            patient = make_patient(first_name=f"P{n}", last_name=f"K{k}")
            appointment = appointment_book(
                patient=patient, doctor=doctor, day=TODAY, start=dt.time(9 + k // 2, 30 * (k % 2))
            )
            if k % 3 == 1:
                appointment_change_status(
                    appointment=appointment, status=Status.ARRIVED, actor=None
                )


def _queries(client, url) -> int:
    client.get(url)  # the doctors' weeks and visit types cached, as after any first request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [BOARD, GRID])
def test_the_query_count_does_not_grow_with_the_day(client, clock_at_eight, url):
    signed_in(client, FRONT_DESK)
    _fill(doctors=1, per_doctor=1)
    small = _queries(client, url)
    _fill(doctors=5, per_doctor=6)
    assert Appointment.objects.count() == 31
    large = _queries(client, url)
    assert large == small
    assert small <= 14


def test_the_board_free_slots_are_the_free_slot_selectors(clock_at_eight):
    from clinic.doctors.selectors import doctor_free_slots, doctors_free_slots_on

    doctors = [make_doctor(name=f"Dr. Free {n}") for n in range(3)]
    appointment_book(
        patient=make_patient(), doctor=doctors[1], day=TODAY, start=dt.time(10, 0)
    )
    together = doctors_free_slots_on(doctors=doctors, day=TODAY)
    assert together == {d.pk: doctor_free_slots(doctor=d, day=TODAY) for d in doctors}
    assert dt.time(10, 0) not in together[doctors[1].pk]
