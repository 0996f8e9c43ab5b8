"""The front desk's patient search and patient page."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.appointments.services import appointment_book
from clinic.audit.models import RecordAccess
from clinic.patients.models import Patient
from clinic.patients.search import patient_search
from clinic.records.models import Consultation
from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, make_doctor, make_patient, make_staff, verified_login

pytestmark = [pytest.mark.django_db]
SEARCH = reverse("workspace:desk")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def desk(client):
    verified_login(client, make_staff(Role.FRONT_DESK))
    return client


def found(query: str) -> list[str]:
    return [p.name for p in patient_search(query=query)]


def test_a_name_finds_patients_never_a_doctor_of_the_same_name():
    """The issue's bug: searching for the patient Asha Rao put Dr. Asha Rao's visits on top."""
    doctor = make_doctor(name="Dr. Asha Rao")
    other = make_patient(first_name="Bala", last_name="Krishnan")
    appointment_book(patient=other, doctor=doctor, day=dt.date(2030, 1, 8), start=dt.time(10))
    make_patient(first_name="Asha", last_name="Rao")
    assert found("Asha Rao") == ["Asha Rao"]
    assert found("rao asha") == ["Asha Rao"]
    assert found("Dr. Asha") == []
    assert found("krish") == ["Bala Krishnan"]


def test_a_phone_in_any_usual_spelling_finds_its_patient():
    make_patient(first_name="Phone", last_name="Holder", phone="9876543210")
    make_patient(first_name="Some", last_name="One", phone="9123456789")
    spellings = ("9876543210", "98765 43210", "+91 98765-43210", "098765 43210", "(987) 654-3210")
    for spelling in spellings:
        assert found(spelling) == ["Phone Holder"], spelling
    assert found("43210") == ["Phone Holder"]  # the digits remembered
    assert found("12") == []  # too few digits to mean anything


def test_a_record_number_or_date_of_birth_finds_its_patient():
    patient = make_patient(first_name="Record", last_name="Holder")
    Patient.objects.filter(pk=patient.pk).update(dob=dt.date(1971, 2, 3))
    make_patient(first_name="Other", last_name="Person")
    number = int(patient.record_number.removeprefix("CMS-"))
    for spelling in (patient.record_number, patient.record_number.lower(), f"CMS{number}"):
        assert found(spelling) == ["Record Holder"], spelling
    for spelling in ("1971-02-03", "03/02/1971", "03-02-1971", "3 Feb 1971"):
        assert found(spelling) == ["Record Holder"], spelling
    assert found("CMS-999999") == []
    assert found("") == []


def test_the_results_show_name_age_record_number_and_phone(desk):
    patient = make_patient(first_name="Asha", last_name="Rao", phone="9876543210")
    response = desk.get(SEARCH, {"q": "asha"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Asha Rao" in html and patient.record_number in html
    assert "39" in html  # born 17 May 1990, on 7 Jan 2030
    assert "98765 43210" in html
    # An htmx search swaps only the results.
    fragment = desk.get(SEARCH, {"q": "asha"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Asha Rao" in fragment and "<html" not in fragment
    assert "No patient matches" in desk.get(SEARCH, {"q": "zzz"}).content.decode()


def _queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data).status_code == 200
    return len(queries)


def test_the_search_takes_the_same_queries_for_more_results(desk):
    make_patient(first_name="Many", last_name="One")
    few = _queries(desk, SEARCH, {"q": "many"})
    for n in range(15):
        make_patient(first_name="Many", last_name=f"Other{n}")
    assert _queries(desk, SEARCH, {"q": "many"}) == few


def test_the_patient_page_shows_contacts_and_visits_and_logs_the_read(desk):
    doctor = make_doctor(name="Dr. Desk Page")
    patient = make_patient(first_name="Paula", last_name="Page", phone="9876543210")
    booked = appointment_book(
        patient=patient, doctor=doctor, day=dt.date(2030, 1, 8), start=dt.time(10)
    )
    Consultation.objects.create(
        patient=patient, doctor=doctor, date=dt.date(2029, 12, 1), purpose="Cough",
        notes="SECRET NOTE", diagnosis="SECRET DIAGNOSIS",
    )
    url = reverse("workspace:desk_patient", args=[patient.pk])
    response = desk.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Paula Page" in html and "98765 43210" in html and "1 Test Street" in html
    assert "Dr. Desk Page" in html and booked.slot_label in html
    assert "SECRET" not in html
    access = RecordAccess.objects.get()
    assert (access.patient_id, access.via, access.path) == (patient.pk, "workspace", url)
    assert access.user_id == response.wsgi_request.user.pk


def test_the_patient_page_takes_the_same_queries_for_more_visits(desk):
    doctor = make_doctor()
    patient = make_patient()
    url = reverse("workspace:desk_patient", args=[patient.pk])
    appointment_book(patient=patient, doctor=doctor, day=dt.date(2030, 1, 8), start=dt.time(10))
    few = _queries(desk, url)
    for hour in (9, 10, 11):
        appointment_book(patient=patient, doctor=make_doctor(), day=dt.date(2030, 1, 9),
                         start=dt.time(hour))
    assert _queries(desk, url) == few


def test_an_unknown_patient_is_a_404(desk):
    assert desk.get(reverse("workspace:desk_patient", args=[999999])).status_code == 404
