"""The doctor's room: my day, the visit with the patient's summary (allergies and alerts
first), the consultation, prescription, lab order and completion, as every caller."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.appointments.models import Status
from clinic.appointments.services import appointment_book
from clinic.audit.models import RecordAccess
from clinic.core import clock
from clinic.labs.models import LabReport, LabStatus
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.services import (
    consultation_start,
    consultation_update,
    prescription_line_add,
)
from clinic.testing import FIXED_NOW, make_patient
from clinic.workspace.tests.room_helpers import CALLERS, arrive, make_cast, sign_in, slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    with time_machine.travel(FIXED_NOW, tick=False):
        yield make_cast()


def visit_url(cast, name="workspace:room_visit", *extra):
    return reverse(name, args=[cast.visit.pk, *extra])


# ---- who may open what -------------------------------------------------------------

PAGES = {
    # page: the callers that get it (everyone else: 403; anonymous: the sign-in)
    "workspace:doctor_day": {"doctor", "other_doctor"},
    "workspace:room_visit": {"doctor", "manager"},
    "workspace:room_patient": {"doctor", "manager"},
}


def page_url(cast, name):
    if name == "workspace:doctor_day":
        return reverse(name)
    if name == "workspace:room_patient":
        return reverse(name, args=[cast.patient.pk])
    return visit_url(cast, name)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_as_each_caller(client, cast, name, caller):
    sign_in(client, cast, caller)
    response = client.get(page_url(cast, name))
    if caller == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workspace:login"))
    elif caller in PAGES[name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        # The lab and the front desk never see the record's clinical content.
        assert b"Penicillin" not in response.content


ACTIONS = {
    "workspace:room_start": {},
    "workspace:room_consultation": {"consultation-notes": "Dry cough", "consultation-icd10": ""},
    "workspace:room_line_add": {
        "line-medicine": "Paracetamol",
        "line-dose": "500 mg",
        "line-frequency": "three times a day",
        "line-duration": "3 days",
    },
    "workspace:room_lab_order": {"lab-test": "CBC"},
    "workspace:room_consultation_error": {"error-reason": "Wrong patient"},
    "workspace:room_complete": {},
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_only_the_visits_doctor_writes_it(client, cast, name, caller):
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        if name not in ("workspace:room_start", "workspace:room_complete"):
            consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        sign_in(client, cast, caller)
        response = client.post(visit_url(cast, name), ACTIONS[name])
    if caller == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workspace:login"))
    elif caller == "doctor":
        assert response.status_code == 302, response.content[:500]
    else:
        # The other doctor does not see this patient; the manager reads but does not write.
        assert response.status_code == 403
        cast.visit.refresh_from_db()
        assert cast.visit.status in (Status.ARRIVED, Status.IN_CONSULTATION)
        assert not LabReport.objects.exists()
        assert not PrescriptionLine.objects.exists()


@pytest.mark.parametrize("caller", CALLERS)
def test_the_prescription_pdf_as_each_caller(client, cast, caller):
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        prescription_line_add(consultation=consultation, actor=cast.users["doctor"],
                              medicine="Paracetamol", dose="1", frequency="1", duration="1")
        sign_in(client, cast, caller)
        response = client.get(visit_url(cast, "workspace:room_prescription"))
    if caller == "anonymous":
        assert response["Location"].startswith(reverse("workspace:login"))
    elif caller in ("doctor", "manager"):
        # A short-lived signed link of the records app, as a download.
        assert response.status_code == 302
        assert response["Location"].endswith("?download=1")
        assert client.get(response["Location"]).content.startswith(b"%PDF")
    else:
        assert response.status_code == 403


# ---- my day --------------------------------------------------------------------------


def test_my_day_lists_todays_visits_in_time_order_with_their_state(client, cast):
    with time_machine.travel(FIXED_NOW, tick=False):
        early = appointment_book(
            patient=make_patient(first_name="Early", last_name="Bird"),
            doctor=cast.doctor,
            day=clock.today(),
            start=slot(0),
        )
        arrive(early, cast.users["front_desk"])
        # Not mine, not today: not listed.
        appointment_book(patient=make_patient(first_name="Theirs"), doctor=cast.other_doctor,
                         day=clock.today(), start=slot(1))
        tomorrow = clock.today() + clock.dt.timedelta(days=1) if hasattr(clock, "dt") else None
        sign_in(client, cast, "doctor")
        response = client.get(reverse("workspace:doctor_day"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Early Bird") < html.index("Priya Patel")
    assert "Theirs" not in html
    assert "Arrived" in html and "Booked" in html
    assert reverse("workspace:room_visit", args=[early.pk]) in html
    del tomorrow


def test_a_doctors_login_without_a_doctor_is_told_so(client, cast):
    from clinic.staff.roles import Role
    from clinic.testing import make_staff

    sign_in_user = make_staff(Role.DOCTOR)
    from clinic.testing import verified_login

    verified_login(client, sign_in_user)
    response = client.get(reverse("workspace:doctor_day"))
    assert response.status_code == 403
    assert b"not linked to a doctor" in response.content


def test_my_day_costs_the_same_queries_however_full_the_day(client, cast):
    def queries():
        with time_machine.travel(FIXED_NOW, tick=False):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("workspace:doctor_day")).status_code == 200
        return len(ctx)

    sign_in(client, cast, "doctor")
    small = queries()
    with time_machine.travel(FIXED_NOW, tick=False):
        for n in (0, 1, 3, 4, 5):
            appointment_book(patient=make_patient(first_name=f"P{n}"), doctor=cast.doctor,
                             day=clock.today(), start=slot(n))
        _resulted_report(cast, test="Lipids")
        _resulted_report(cast, test="TSH")
    assert queries() == small


# ---- the visit: summary first ---------------------------------------------------------


def test_the_visit_shows_allergies_and_alerts_first_and_logs_the_read(client, cast):
    with time_machine.travel(FIXED_NOW, tick=False):
        _past_consultation(cast, diagnosis="Seasonal asthma", medicine="Salbutamol")
        sign_in(client, cast, "doctor")
        before = RecordAccess.objects.count()
        response = client.get(visit_url(cast))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Penicillin: rash") < html.index("Seasonal asthma")
    assert html.index("Hard of hearing") < html.index("Past consultations")
    assert "Salbutamol" in html
    access = RecordAccess.objects.order_by("-pk").first()
    assert RecordAccess.objects.count() == before + 1
    assert (access.user, access.patient, access.via) == (
        cast.users["doctor"], cast.patient, "workspace"
    )


def test_another_doctors_patient_is_refused_and_not_logged(client, cast):
    sign_in(client, cast, "other_doctor")
    before = RecordAccess.objects.count()
    assert client.get(visit_url(cast)).status_code == 403
    assert RecordAccess.objects.count() == before


def test_an_unknown_visit_is_a_404(client, cast):
    sign_in(client, cast, "doctor")
    assert client.get(reverse("workspace:room_visit", args=[99999])).status_code == 404


def test_the_visit_costs_the_same_queries_however_long_the_history(client, cast):
    def queries():
        with time_machine.travel(FIXED_NOW, tick=False):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(visit_url(cast)).status_code == 200
        return len(ctx)

    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        prescription_line_add(consultation=consultation, actor=cast.users["doctor"],
                              medicine="A", dose="1", frequency="1", duration="1")
    # One of each kind already (an empty list costs no prefetch query).
    _past_consultation(cast, diagnosis="Older", medicine="M", weeks_ago=9)
    _resulted_report(cast, test="First")
    sign_in(client, cast, "doctor")
    small = queries()
    for n in range(4):
        _past_consultation(cast, diagnosis=f"Old {n}", medicine=f"M{n}", weeks_ago=n + 1)
        _resulted_report(cast, test=f"Test {n}")
        prescription_line_add(consultation=consultation, actor=cast.users["doctor"],
                              medicine=f"B{n}", dose="1", frequency="1", duration="1")
    assert queries() == small


# ---- writing the visit ----------------------------------------------------------------


def test_a_visit_from_start_to_completion(client, cast):
    doctor = cast.users["doctor"]
    sign_in(client, cast, "doctor")
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        assert b"Start the consultation" in client.get(visit_url(cast)).content
        assert client.post(visit_url(cast, "workspace:room_start")).status_code == 302
        cast.visit.refresh_from_db()
        assert cast.visit.status == Status.IN_CONSULTATION
        response = client.post(
            visit_url(cast, "workspace:room_consultation"),
            {
                "consultation-notes": "Dry cough, chest clear.",
                "consultation-diagnosis": "Acute upper respiratory infection",
                "consultation-icd10": "j069",
            },
        )
        assert response.status_code == 302
        consultation = Consultation.objects.get(appointment=cast.visit)
        assert (consultation.icd10, consultation.notes) == ("J06.9", "Dry cough, chest clear.")
        assert consultation.history.first().history_user == doctor
        response = client.post(visit_url(cast, "workspace:room_line_add"),
                               ACTIONS["workspace:room_line_add"])
        assert response.status_code == 302
        line = consultation.lines.get()
        assert (line.medicine, line.dose) == ("Paracetamol", "500 mg")

        response = client.get(visit_url(cast, "workspace:room_prescription"))
        assert response.status_code == 302
        pdf = client.get(response["Location"])
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment")
        assert pdf.content.startswith(b"%PDF")

        assert client.post(visit_url(cast, "workspace:room_lab_order"),
                           {"lab-test": "CBC"}).status_code == 302
        report = LabReport.objects.get()
        assert (report.test, report.status, report.doctor) == ("CBC", LabStatus.ORDERED,
                                                               cast.doctor)
        assert report.patient == cast.patient

        response = client.post(visit_url(cast, "workspace:room_complete"))
        assert response.status_code == 302
        assert response["Location"] == reverse("workspace:doctor_day")
    cast.visit.refresh_from_db()
    assert cast.visit.status == Status.COMPLETED


def test_bad_input_is_a_400_and_changes_nothing(client, cast):
    sign_in(client, cast, "doctor")
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        response = client.post(visit_url(cast, "workspace:room_consultation"),
                               {"consultation-notes": "x", "consultation-icd10": "12345"})
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content
        consultation.refresh_from_db()
        assert consultation.notes == ""
        response = client.post(visit_url(cast, "workspace:room_line_add"),
                               {"line-medicine": "Only a name"})
        assert response.status_code == 400
        assert not consultation.lines.exists()
        assert client.post(visit_url(cast, "workspace:room_lab_order"),
                           {"lab-test": "  "}).status_code == 400
        assert client.post(visit_url(cast, "workspace:room_lab_order"),
                           {"lab-test": "x" * 500}).status_code == 400
        assert not LabReport.objects.exists()


def test_a_visit_not_arrived_cannot_be_started_or_written(client, cast):
    sign_in(client, cast, "doctor")
    with time_machine.travel(FIXED_NOW, tick=False):
        page = client.get(visit_url(cast)).content
        assert b"Start the consultation" not in page
        assert b"has not arrived yet" in page
        response = client.post(visit_url(cast, "workspace:room_start"))
        assert response.status_code == 409
        assert b"has not arrived yet" in response.content
        response = client.post(visit_url(cast, "workspace:room_line_add"),
                               ACTIONS["workspace:room_line_add"])
        assert response.status_code == 409
        assert b"Start the consultation first" in response.content
    assert not Consultation.objects.exists()


def test_a_get_on_an_action_is_refused(client, cast):
    sign_in(client, cast, "doctor")
    assert client.get(visit_url(cast, "workspace:room_complete")).status_code == 405


def test_a_line_and_a_consultation_are_marked_entered_in_error(client, cast):
    doctor = cast.users["doctor"]
    sign_in(client, cast, "doctor")
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=doctor)
        line = prescription_line_add(consultation=consultation, actor=doctor,
                                     medicine="Wrongamol", dose="1", frequency="1", duration="1")
        url = visit_url(cast, "workspace:room_line_error", line.pk)
        assert client.post(url, {"error-reason": ""}).status_code == 400
        assert client.post(url, {"error-reason": "Wrong patient"}).status_code == 302
        line.refresh_from_db()
        assert line.is_entered_in_error and line.error_reason == "Wrong patient"
        page = client.get(visit_url(cast)).content
        assert b"marked entered in error" in page and b"<td>Wrongamol</td>" not in page
        # Again: the line is closed.
        assert client.post(url, {"error-reason": "Again"}).status_code == 409

        url = visit_url(cast, "workspace:room_consultation_error")
        assert client.post(url, {"error-reason": "Wrong visit"}).status_code == 302
        consultation.refresh_from_db()
        assert consultation.is_entered_in_error
        # The visit may get a new consultation.
        assert b"Start the consultation" in client.get(visit_url(cast)).content


def test_a_line_of_another_visit_is_a_404(client, cast):
    doctor = cast.users["doctor"]
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        other = appointment_book(patient=cast.patient, doctor=cast.doctor, day=clock.today(),
                                 start=slot(4))
        arrive(other, cast.users["front_desk"])
        line = prescription_line_add(
            consultation=consultation_start(appointment=other, actor=doctor), actor=doctor,
            medicine="X", dose="1", frequency="1", duration="1")
        sign_in(client, cast, "doctor")
        response = client.post(visit_url(cast, "workspace:room_line_error", line.pk),
                               {"error-reason": "No"})
    assert response.status_code == 404


def test_the_manager_reads_the_visit_without_the_forms(client, cast):
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        consultation_update(consultation=consultation, actor=cast.users["doctor"],
                            notes="Manager may read this")
        sign_in(client, cast, "manager")
        html = client.get(visit_url(cast)).content.decode()
    assert "Manager may read this" in html
    assert "Save notes and diagnosis" not in html
    assert "Complete the visit" not in html


# ---- helpers ---------------------------------------------------------------------------


def _past_consultation(cast, *, diagnosis, medicine, weeks_ago=1):
    """A completed visit some weeks ago with its consultation and one line."""
    import datetime as dt

    doctor = cast.users["doctor"]
    day = FIXED_NOW - dt.timedelta(weeks=weeks_ago)
    with time_machine.travel(day, tick=False):
        visit = appointment_book(patient=cast.patient, doctor=cast.doctor, day=day.date(),
                                 start=slot(1))
        arrive(visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=visit, actor=doctor)
        consultation_update(consultation=consultation, actor=doctor, diagnosis=diagnosis)
        prescription_line_add(consultation=consultation, actor=doctor, medicine=medicine,
                              dose="1", frequency="1", duration="1")
    return consultation


def _resulted_report(cast, *, test, patient=None):
    from clinic.core.tests.files_helpers import pdf_bytes, upload
    from clinic.labs.services import lab_report_attach, lab_report_order

    report = lab_report_order(patient=patient or cast.patient, doctor=cast.doctor, test=test,
                              actor=cast.users["doctor"])
    return lab_report_attach(report=report, upload=upload(pdf_bytes(), "r.pdf", "application/pdf"),
                             actor=cast.users["lab"])
