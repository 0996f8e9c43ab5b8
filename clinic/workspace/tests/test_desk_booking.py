"""The front desk books: a caller into a free slot, a walk-in in one form; moves and
cancels visits; prints the slip. Every change goes through the appointments' services."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book
from clinic.core.models import AuditEvent
from clinic.patients.models import Patient
from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, make_doctor, make_patient, make_staff, verified_login

pytestmark = [pytest.mark.django_db]
TUESDAY = dt.date(2030, 1, 8)
TODAY = FIXED_NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def desk(client):
    verified_login(client, make_staff(Role.FRONT_DESK))
    return client


@pytest.fixture
def doctor():
    return make_doctor(name="Dr. Asha Rao")


@pytest.fixture
def patient():
    return make_patient(first_name="Carl", last_name="Caller")


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def slot(doctor, at: str, day=TUESDAY) -> dict:
    return {"date": day.isoformat(), "doctor": str(doctor.pk), "slot": f"{doctor.pk}/{at}"}


def test_the_caller_picks_from_the_doctors_free_slots(desk, doctor, patient):
    appointment_book(patient=make_patient(), doctor=doctor, day=TUESDAY, start=dt.time(9, 30))
    url = reverse("workspace:desk_book", args=[patient.pk])
    html = desk.get(url, {"doctor": doctor.pk, "date": TUESDAY.isoformat()}).content.decode()
    assert f'value="{doctor.pk}/09:00"' in html and f'value="{doctor.pk}/10:00"' in html
    assert f'value="{doctor.pk}/09:30"' not in html  # taken


def test_any_doctor_lists_the_first_free_first(desk, doctor, patient):
    later = make_doctor(name="Dr. Later")
    appointment_book(patient=make_patient(), doctor=later, day=TUESDAY, start=dt.time(9))
    url = reverse("workspace:desk_book", args=[patient.pk])
    html = desk.get(url, {"date": TUESDAY.isoformat()}).content.decode()
    assert html.index("Dr. Asha Rao") < html.index("Dr. Later")
    assert f'value="{later.pk}/09:00"' not in html and f'value="{later.pk}/09:30"' in html


def test_booking_a_free_slot_says_its_token_number(desk, doctor, patient):
    response = desk.post(reverse("workspace:desk_book", args=[patient.pk]), slot(doctor, "10:00"))
    appointment = Appointment.objects.get(patient=patient)
    assert (appointment.doctor, appointment.date, appointment.start) == (
        doctor, TUESDAY, dt.time(10)
    )
    assert appointment.slot_number == 3  # 09:00, 09:30, 10:00
    assert response.status_code == 302
    assert any("token 3" in m for m in said(response))
    page = desk.get(response["Location"]).content.decode()
    assert reverse("workspace:desk_slip", args=[appointment.pk]) in page
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.actor == response.wsgi_request.user


def test_a_slot_taken_meanwhile_shows_the_fresh_slots(desk, doctor, patient):
    appointment_book(patient=make_patient(), doctor=doctor, day=TUESDAY, start=dt.time(10))
    response = desk.post(reverse("workspace:desk_book", args=[patient.pk]), slot(doctor, "10:00"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "not free any more" in html and "has just been taken" not in html
    assert f'value="{doctor.pk}/10:30"' in html and f'value="{doctor.pk}/10:00"' not in html
    assert not Appointment.objects.filter(patient=patient).exists()


def test_a_bad_slot_or_date_changes_nothing(desk, doctor, patient):
    url = reverse("workspace:desk_book", args=[patient.pk])
    assert desk.post(url, {"date": "2030-01-08", "slot": "junk"}).status_code == 400
    assert desk.post(url, slot(doctor, "10:10")).status_code == 400  # not a slot
    assert desk.post(url, slot(doctor, "10:00", day=dt.date(2029, 1, 1))).status_code == 400
    assert desk.post(url, {"date": "2030-01-08", "slot": "999999/10:00"}).status_code == 404
    assert not Appointment.objects.exists()


WALK_IN = {
    "given_name": "Wally",
    "family_name": "Walker",
    "gender": "Male",
    "dob": "1980-02-03",
    "phone": "98765 43210",
}


def test_a_walk_in_is_registered_without_a_login(desk):
    response = desk.post(reverse("workspace:desk_walk_in"), WALK_IN)
    patient = Patient.objects.get(given_name="Wally")
    assert response.status_code == 302
    assert patient.user is None and str(patient.phone) == "+919876543210"
    assert not patient.appointments.exists()


def test_a_walk_in_is_booked_today_and_checked_in_in_one_form(desk, doctor):
    page = desk.get(reverse("workspace:desk_walk_in")).content.decode()
    assert f'value="{doctor.pk}/09:00"' in page
    data = {**WALK_IN, "slot": f"{doctor.pk}/09:30", "arrived": "on", "reason": "Fever"}
    response = desk.post(reverse("workspace:desk_walk_in"), data)
    appointment = Appointment.objects.get(patient__given_name="Wally")
    assert (appointment.date, appointment.start, appointment.status) == (
        TODAY, dt.time(9, 30), Status.ARRIVED
    )
    assert any("token 2" in m for m in said(response))


def test_a_walk_in_is_all_or_nothing(desk, doctor):
    appointment_book(patient=make_patient(), doctor=doctor, day=TODAY, start=dt.time(9, 30))
    before = Patient.objects.count()
    response = desk.post(reverse("workspace:desk_walk_in"),
                         {**WALK_IN, "slot": f"{doctor.pk}/09:30"})
    assert response.status_code == 409
    assert "not free any more" in response.content.decode()
    assert Patient.objects.count() == before  # the registration was undone too
    response = desk.post(reverse("workspace:desk_walk_in"), {**WALK_IN, "phone": "12"})
    assert response.status_code == 400
    assert "Enter a valid phone number" in response.content.decode()
    assert Patient.objects.count() == before


def test_moving_keeps_the_booking_and_frees_the_old_slot(desk, doctor, patient):
    appointment = appointment_book(patient=patient, doctor=doctor, day=TUESDAY, start=dt.time(9))
    url = reverse("workspace:desk_move", args=[appointment.pk])
    page = desk.get(url).content.decode()
    assert f'value="{doctor.pk}/10:00"' in page  # the doctor's and day's slots to start with
    other = make_doctor(name="Dr. Other")
    response = desk.post(url, slot(other, "11:00"))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.doctor, appointment.start, appointment.slot_number) == (
        other, dt.time(11), 5
    )
    assert any("token 5" in m for m in said(response))
    assert appointment_book(patient=make_patient(), doctor=doctor, day=TUESDAY,
                            start=dt.time(9))  # the old slot is free


def test_a_move_to_a_taken_slot_keeps_the_old_one(desk, doctor, patient):
    appointment = appointment_book(patient=patient, doctor=doctor, day=TUESDAY, start=dt.time(9))
    appointment_book(patient=make_patient(), doctor=doctor, day=TUESDAY, start=dt.time(10))
    response = desk.post(reverse("workspace:desk_move", args=[appointment.pk]),
                         slot(doctor, "10:00"))
    assert response.status_code == 409
    assert "not free any more" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == dt.time(9)


def test_cancelling_needs_a_reason_and_keeps_it(desk, doctor, patient):
    appointment = appointment_book(patient=patient, doctor=doctor, day=TUESDAY, start=dt.time(9))
    url = reverse("workspace:desk_cancel", args=[appointment.pk])
    assert desk.post(url, {"reason": "  "}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    response = desk.post(url, {"reason": "Caller is travelling"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == (Status.CANCELLED, "clinic")
    event = AuditEvent.objects.get(action="appointment.cancelled")
    assert event.data == {"by": "clinic", "reason": "Caller is travelling"}
    # Once more: it can no longer be cancelled, and says so.
    again = desk.post(url, {"reason": "Again"})
    assert again.status_code == 302
    assert any("can no longer be cancelled" in m for m in said(again))


def test_the_slip_shows_patient_doctor_site_time_and_token(desk, doctor, patient):
    appointment = appointment_book(patient=patient, doctor=doctor, day=TUESDAY,
                                   start=dt.time(10, 30))
    html = desk.get(reverse("workspace:desk_slip", args=[appointment.pk])).content.decode()
    site = appointment.location
    for text in ("Carl Caller", patient.record_number, "Dr. Asha Rao", "10:30 AM",
                 "Tuesday 8 January 2030", site["name"], site["address"]):
        assert text in html, text
    assert '<dd class="col-8 slip-token">4</dd>' in html
