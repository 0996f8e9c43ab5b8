"""The lab queue (ordered tests, the result upload) and a doctor's release of a result,
as every caller."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.core.tests.files_helpers import image_bytes, pdf_bytes, upload
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.services import lab_report_attach, lab_report_order
from clinic.notifications.models import OutboxEvent
from clinic.records.services import consultation_start, consultation_update
from clinic.testing import FIXED_NOW, make_patient
from clinic.workspace.tests.room_helpers import CALLERS, arrive, make_cast, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    with time_machine.travel(FIXED_NOW, tick=False):
        yield make_cast()


def order(cast, test="CBC", patient=None):
    return lab_report_order(patient=patient or cast.patient, doctor=cast.doctor, test=test,
                            actor=cast.users["doctor"])


def result(report, cast):
    return lab_report_attach(report=report, actor=cast.users["lab"],
                             upload=upload(pdf_bytes(), "cbc.pdf", "application/pdf"))


def pdf_post(report, data=None):
    return {f"report-{report.pk}-file": upload(data or pdf_bytes(), "cbc.pdf", "application/pdf")}


@pytest.mark.parametrize("caller", CALLERS)
def test_the_queue_as_each_caller(client, cast, caller):
    order(cast)
    sign_in(client, cast, caller)
    response = client.get(reverse("workspace:lab_queue"))
    if caller == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workspace:login"))
    elif caller in ("lab", "manager"):
        assert response.status_code == 200
        assert b"CBC" in response.content
        assert (b"Attach" in response.content) == (caller == "lab")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("caller", CALLERS)
def test_only_the_lab_attaches_a_result(client, cast, caller):
    report = order(cast)
    sign_in(client, cast, caller)
    response = client.post(reverse("workspace:lab_attach", args=[report.pk]), pdf_post(report))
    report.refresh_from_db()
    if caller == "lab":
        assert response.status_code == 302
        assert report.status == LabStatus.RESULTED and report.file
    else:
        assert response.status_code in (302, 403)
        if caller == "anonymous":
            assert response["Location"].startswith(reverse("workspace:login"))
        assert report.status == LabStatus.ORDERED and not report.file


def test_the_queue_says_who_for_which_test_by_whom_and_no_notes(client, cast):
    with time_machine.travel(FIXED_NOW, tick=False):
        arrive(cast.visit, cast.users["front_desk"])
        consultation = consultation_start(appointment=cast.visit, actor=cast.users["doctor"])
        consultation_update(consultation=consultation, actor=cast.users["doctor"],
                            notes="Secret clinical note", diagnosis="Private diagnosis")
        order(cast, test="Lipid profile")
        sign_in(client, cast, "lab")
        html = client.get(reverse("workspace:lab_queue")).content.decode()
    assert "Lipid profile" in html and "Priya Patel" in html
    assert cast.patient.record_number in html and "Dr. Mira Room" in html
    assert "07 Jan 2030" in html
    for secret in ("Secret clinical note", "Private diagnosis", "Penicillin", "Hard of hearing"):
        assert secret not in html


def test_released_and_erroneous_reports_leave_the_queue(client, cast):
    released = result(order(cast, test="Released one"), cast)
    from clinic.labs.services import lab_report_mark_entered_in_error, lab_report_release

    lab_report_release(report=released, actor=cast.users["doctor"])
    lab_report_mark_entered_in_error(report=order(cast, test="Wrong one"), reason="x",
                                     actor=cast.users["doctor"])
    result(order(cast, test="Awaiting one"), cast)
    sign_in(client, cast, "lab")
    html = client.get(reverse("workspace:lab_queue")).content.decode()
    assert "Awaiting one" in html and "Awaiting review" in html
    assert "Released one" not in html and "Wrong one" not in html


def test_a_file_that_is_not_an_image_or_pdf_is_refused(client, cast):
    report = order(cast)
    sign_in(client, cast, "lab")
    url = reverse("workspace:lab_attach", args=[report.pk])
    response = client.post(url, {f"report-{report.pk}-file": upload(b"just text", "cbc.pdf",
                                                                       "application/pdf")})
    assert response.status_code == 400
    assert b"invalid-feedback" in response.content
    assert client.post(url, {}).status_code == 400
    report.refresh_from_db()
    assert report.status == LabStatus.ORDERED and not report.file
    # A real image is accepted.
    response = client.post(url, {f"report-{report.pk}-file": upload(image_bytes("PNG"), "cbc.png",
                                                                      "image/png")})
    assert response.status_code == 302


def test_a_released_report_takes_no_new_file(client, cast):
    from clinic.labs.services import lab_report_release

    report = lab_report_release(report=result(order(cast), cast), actor=cast.users["doctor"])
    sign_in(client, cast, "lab")
    response = client.post(reverse("workspace:lab_attach", args=[report.pk]), pdf_post(report))
    assert response.status_code == 409
    assert client.post(reverse("workspace:lab_attach", args=[9999]), {}).status_code == 404


# ---- the doctor's review and release ---------------------------------------------------


def test_the_doctor_reviews_and_releases_a_result_from_my_day(client, cast):
    report = result(order(cast, test="Thyroid panel"), cast)
    sign_in(client, cast, "doctor")
    with time_machine.travel(FIXED_NOW, tick=False):
        day = client.get(reverse("workspace:doctor_day")).content.decode()
        assert "Thyroid panel" in day
        summary = client.get(reverse("workspace:room_patient", args=[cast.patient.pk]))
        assert b"View the result" in summary.content
        assert b"Release" in summary.content
        response = client.post(reverse("workspace:lab_release", args=[report.pk]),
                               {"next": reverse("workspace:doctor_day")})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:doctor_day")
    report.refresh_from_db()
    assert report.status == LabStatus.RELEASED and report.released_by == cast.doctor
    # The patient is told (the release's event, in the outbox), once.
    assert OutboxEvent.objects.filter(name="lab_report_ready", object_id=report.pk).count() == 1


@pytest.mark.parametrize("caller", CALLERS)
def test_only_a_doctor_who_sees_the_patient_releases(client, cast, caller):
    report = result(order(cast), cast)
    sign_in(client, cast, caller)
    response = client.post(reverse("workspace:lab_release", args=[report.pk]))
    report.refresh_from_db()
    if caller == "doctor":
        assert response.status_code == 302
        assert report.status == LabStatus.RELEASED
    else:
        assert response.status_code in (302, 403)
        if caller == "anonymous":
            assert response["Location"].startswith(reverse("workspace:login"))
        assert report.status == LabStatus.RESULTED


def test_a_result_not_in_yet_cannot_be_released(client, cast):
    report = order(cast)
    sign_in(client, cast, "doctor")
    response = client.post(reverse("workspace:lab_release", args=[report.pk]))
    assert response.status_code == 409
    assert b"still awaiting its result" in response.content
    report.refresh_from_db()
    assert report.status == LabStatus.ORDERED


def test_release_goes_back_only_to_this_site(client, cast):
    report = result(order(cast), cast)
    sign_in(client, cast, "doctor")
    response = client.post(reverse("workspace:lab_release", args=[report.pk]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace:doctor_day")


def test_the_queue_costs_the_same_queries_however_long(client, cast):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("workspace:lab_queue")).status_code == 200
        return len(ctx)

    result(order(cast), cast)
    order(cast, test="ESR")
    sign_in(client, cast, "lab")
    small = queries()
    for n in range(5):
        patient = make_patient(first_name=f"Lab{n}")
        order(cast, test=f"T{n}", patient=patient)
        result(order(cast, test=f"R{n}", patient=patient), cast)
    assert queries() == small
    assert LabReport.objects.count() == 12
