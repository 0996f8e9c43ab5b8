"""The manager's pages for doctors' sessions and time off, visit types and sites: each
saves through its service, and bad input gets a clear 400 with nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.appointments.models import VisitType
from clinic.appointments.services import appointment_book
from clinic.appointments.visit_types import visit_type_default
from clinic.core.models import AuditEvent
from clinic.doctors.models import Location, TimeOff
from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, make_doctor, make_patient, make_staff, verified_login

pytestmark = pytest.mark.django_db
MONDAY = FIXED_NOW.date()


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def manager(client):
    user = make_staff(Role.MANAGER)
    verified_login(client, user)
    return user


@pytest.fixture
def doctor():
    return make_doctor(name="Dr. Asha Rao")  # Monday to Saturday 09:00–12:00, 30-minute slots


def url(name, *args):
    return reverse(f"workspace:manage_{name}", args=args)


def session_data(doctor=None, **changes):
    data = {"location": Location.objects.order_by("pk").first().pk, "weekday": 0,
            "start": "14:00", "end": "17:00", "slot_minutes": 20}
    if doctor is not None:
        data["doctor"] = doctor.pk
    return {**data, **changes}


def week(doctor):
    return list(doctor.schedules.values_list("weekday", "start", "end", "slot_minutes"))


def test_the_sessions_page_lists_every_doctors_week_in_constant_queries(client, manager, doctor):
    TimeOff.objects.create(doctor=doctor, start_date=MONDAY, end_date=MONDAY, reason="Course")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("sessions"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    few, html = count()
    assert "Dr. Asha Rao" in html and "09:00–12:00" in html and "Course" in html
    for _ in range(5):
        make_doctor()
    assert count()[0] == few


def test_a_manager_adds_an_afternoon_session(client, manager, doctor):
    response = client.post(url("session_new"), session_data(doctor))
    assert response.status_code == 302
    assert (0, dt.time(14), dt.time(17), 20) in week(doctor)
    assert AuditEvent.objects.filter(action="doctor.session_saved").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "11:00"}, "Sessions overlap: Monday 09:00–12:00 and Monday 11:00–17:00."),
        ({"start": "09:00"}, "Sessions overlap"),
        ({"end": "13:00"}, "A session ends after it starts."),
        ({"slot_minutes": "3"}, "Ensure this value is greater than or equal to 5."),
        ({"weekday": "9"}, "Select a valid choice."),
        ({"start": "2pm-ish"}, "Enter a valid time."),
        ({"location": "99999"}, "Select a valid choice."),
    ],
)
def test_a_bad_session_changes_nothing(client, manager, doctor, changes, message):
    before = week(doctor)
    response = client.post(url("session_new"), session_data(doctor, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert week(doctor) == before


def test_a_new_slot_length_never_strands_a_booking(client, manager, doctor):
    tuesday = MONDAY + dt.timedelta(days=1)
    appointment_book(patient=make_patient(), doctor=doctor, day=tuesday, start=dt.time(9, 30))
    session = doctor.schedules.get(weekday=1)
    data = session_data(weekday=1, start="09:00", end="12:00", slot_minutes=45)
    response = client.post(url("session_edit", session.pk), data)
    assert response.status_code == 400
    assert "would leave booked appointments outside the doctor&#x27;s slots" in (
        response.content.decode())
    session.refresh_from_db()
    assert session.slot_minutes == 30
    # 15-minute slots keep 09:30 on a slot: allowed.
    response = client.post(url("session_edit", session.pk), {**data, "slot_minutes": 15})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.slot_minutes == 15


def test_time_off_is_added_and_booked_visits_are_pointed_out(client, manager, doctor):
    tuesday = MONDAY + dt.timedelta(days=1)
    appointment_book(patient=make_patient(), doctor=doctor, day=tuesday, start=dt.time(9, 30))
    response = client.post(url("time_off_new"), {
        "doctor": doctor.pk, "start_date": tuesday, "end_date": tuesday + dt.timedelta(days=2),
        "reason": "Conference"}, follow=True)
    assert response.status_code == 200
    assert "1 booked visit fall in these days" in response.content.decode()
    off = TimeOff.objects.get(doctor=doctor)
    assert (off.start_date, off.reason) == (tuesday, "Conference")
    response = client.post(url("time_off_edit", off.pk),
                           {"start_date": tuesday, "end_date": tuesday - dt.timedelta(days=1)})
    assert response.status_code == 400
    assert "The last day off is before the first." in response.content.decode()
    off.refresh_from_db()
    assert off.end_date == tuesday + dt.timedelta(days=2)
    response = client.post(url("time_off_edit", off.pk),
                           {"start_date": tuesday, "end_date": tuesday, "reason": ""})
    assert response.status_code == 302
    off.refresh_from_db()
    assert off.end_date == tuesday


def test_visit_types_are_added_and_changed(client, manager):
    default = visit_type_default()
    assert client.get(url("visit_types")).status_code == 200
    response = client.post(url("visit_type_new"), {"name": "Follow-up", "minutes": 15,
                                                   "is_active": "on"})
    assert response.status_code == 302
    follow_up = VisitType.objects.get(name="Follow-up")
    assert (follow_up.minutes, follow_up.is_active) == (15, True)
    for data, message in [
        ({"name": "follow-UP", "minutes": 20}, "Another visit type has that name."),
        ({"name": "Long", "minutes": 300}, "Ensure this value is less than or equal to 240."),
        ({"name": "", "minutes": 20}, "This field is required."),
    ]:
        response = client.post(url("visit_type_new"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert VisitType.objects.count() == 2
    response = client.post(url("visit_type_edit", follow_up.pk), {"name": "Follow-up visit",
                                                                  "minutes": 20})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.name, follow_up.minutes, follow_up.is_active) == (
        "Follow-up visit", 20, False)
    # The default stays active.
    response = client.post(url("visit_type_edit", default.pk), {"name": default.name,
                                                                "minutes": default.minutes})
    assert response.status_code == 400
    assert "The default visit type stays active" in response.content.decode()
    assert VisitType.objects.get(pk=default.pk).is_active is True


def test_sites_are_added_and_changed(client, manager):
    data = {"name": "Annex", "address": "2 Side Road", "phone": "080 1234",
            "time_zone": "Asia/Kolkata", "map_url": "https://maps.example/annex"}
    assert client.post(url("site_new"), data).status_code == 302
    annex = Location.objects.get(name="Annex")
    for changes, message in [
        ({"name": "annex"}, "Another site has that name."),
        ({"name": "Two", "time_zone": "Mars/Olympus"}, "is not a time zone name"),
        ({"name": "Three", "map_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"name": "Four", "address": ""}, "This field is required."),
    ]:
        response = client.post(url("site_new"), {**data, **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Location.objects.filter(name__in=["Two", "Three", "Four"]).exists()
    response = client.post(url("site_edit", annex.pk), {**data, "phone": "080 9999"})
    assert response.status_code == 302
    annex.refresh_from_db()
    assert annex.phone == "080 9999"
    response = client.post(url("site_edit", annex.pk), {**data, "time_zone": "Nowhere"})
    assert response.status_code == 400
    annex.refresh_from_db()
    assert annex.time_zone == "Asia/Kolkata"


def test_unknown_ids_are_404(client, manager):
    for name in ("session_edit", "time_off_edit", "visit_type_edit", "site_edit"):
        assert client.get(url(name, 999999)).status_code == 404
