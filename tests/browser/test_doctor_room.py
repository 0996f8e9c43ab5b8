"""The doctor's room and the lab in a browser at 1280px and 768px: the doctor opens a visit
from my day, writes the consultation with a prescription, downloads the PDF, orders a test
and completes the visit; the lab attaches the result and the doctor releases it. axe-core
on each page."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_change_status
from clinic.core import clock
from clinic.core.tests.files_helpers import pdf_bytes
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.services import lab_report_order
from clinic.records.models import Consultation
from clinic.staff.roles import Role
from clinic.testing import make_doctor, make_patient, make_staff
from tests.browser.conftest import WORKSPACE_VIEWPORTS
from tests.browser.test_accessibility import check_page
from tests.browser.workspace_helpers import staff_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=WORKSPACE_VIEWPORTS)
def viewport(request):
    return request.param


@pytest.fixture
def clinic_day():
    """A doctor with a login, and their patient who arrived for a visit today."""
    doctor = make_doctor(name="Dr. Mira Room")
    doctor_user = make_staff(Role.DOCTOR, doctor=doctor, first_name="Mira", last_name="Room")
    desk = make_staff(Role.FRONT_DESK)
    patient = make_patient(first_name="Priya", last_name="Patel")
    patient.allergies = "Penicillin: rash"
    patient.save(update_fields=["allergies"])
    # Today at a fixed time: the booking rules (future slots only) are not under test here.
    visit = Appointment.objects.create(
        patient=patient, doctor=doctor, date=clock.today(), start=dt.time(9, 0),
        end=dt.time(9, 30), slot_number=1, reason="Cough",
    )
    appointment_change_status(appointment=visit, status=Status.ARRIVED, actor=desk)
    return doctor, doctor_user, patient, visit


def test_a_doctors_visit_with_a_prescription_pdf(
    page, live_server, clinic_day, tmp_path, screenshot
):
    doctor, doctor_user, patient, visit = clinic_day
    staff_log_in(page, live_server, doctor_user)
    page.goto("/clinic/")
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.get_by_role("cell", name="Arrived")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name=re.compile("Open the visit of Priya Patel")).click()
    expect(page.get_by_role("heading", name="Priya Patel", exact=True)).to_be_visible()
    expect(page.get_by_text("Penicillin: rash")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Start the consultation").click()

    page.get_by_label("Notes").fill("Dry cough for a week, chest clear.")
    page.get_by_label("Diagnosis").fill("Acute upper respiratory infection")
    page.get_by_label("ICD-10 code").fill("j06.9")
    page.get_by_role("button", name="Save notes and diagnosis").click()
    expect(page.get_by_text("Notes and diagnosis saved.")).to_be_visible()

    page.get_by_label("Medicine").fill("Paracetamol")
    page.get_by_label(re.compile(r"^Dose")).fill("500 mg")
    page.get_by_label("Frequency").fill("three times a day")
    page.get_by_label("Duration").fill("3 days")
    page.get_by_label("Instructions").fill("after food")
    page.get_by_role("button", name="Add to the prescription").click()
    expect(page.get_by_role("cell", name="Paracetamol")).to_be_visible()
    check_page(page)
    if page.viewport_name == "desktop":
        screenshot(page, "doctor-room")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the prescription (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("prescription-")
    saved = tmp_path / "prescription.pdf"
    download.save_as(saved)
    assert Path(saved).read_bytes().startswith(b"%PDF")

    page.get_by_role("textbox", name="Lab test").fill("CBC")
    page.get_by_role("button", name="Order the test").click()
    expect(page.get_by_text("CBC ordered")).to_be_visible()

    page.get_by_role("button", name="Complete the visit").click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.get_by_role("cell", name="Completed")).to_be_visible()
    check_page(page)

    consultation = Consultation.objects.get(appointment=visit)
    assert consultation.icd10 == "J06.9"
    assert [line.medicine for line in consultation.lines.all()] == ["Paracetamol"]
    assert LabReport.objects.get().status == LabStatus.ORDERED


def test_the_lab_attaches_a_result_and_the_doctor_releases_it(
    page, live_server, clinic_day, tmp_path, screenshot
):
    doctor, doctor_user, patient, _visit = clinic_day
    report = lab_report_order(patient=patient, doctor=doctor, test="Thyroid panel",
                              actor=doctor_user)
    lab = make_staff(Role.LAB, first_name="Lena", last_name="Lab")
    staff_log_in(page, live_server, lab)
    page.goto("/clinic/")
    expect(page.get_by_role("heading", name="Lab queue")).to_be_visible()
    expect(page.get_by_role("cell", name="Thyroid panel", exact=True)).to_be_visible()
    check_page(page)
    result = tmp_path / "thyroid.pdf"
    result.write_bytes(pdf_bytes("TSH 2.1 mIU/L"))
    page.get_by_label(re.compile("Result file for Thyroid panel")).set_input_files(str(result))
    page.get_by_role("button", name=re.compile("Attach")).click()
    expect(page.get_by_text("awaits a doctor's review")).to_be_visible()
    expect(page.get_by_role("cell", name="Awaiting review")).to_be_visible()
    check_page(page)
    if page.viewport_name == "desktop":
        screenshot(page, "lab-queue")

    page.context.clear_cookies()
    staff_log_in(page, live_server, doctor_user)
    page.goto("/clinic/room/")
    page.get_by_role("link", name=re.compile("Review Thyroid panel")).click()
    expect(page.get_by_role("link", name=re.compile("View the result"))).to_be_visible()
    check_page(page)
    page.get_by_role("button", name=re.compile("Release Thyroid panel")).click()
    expect(page.get_by_text("Thyroid panel released to Priya Patel.")).to_be_visible()
    report.refresh_from_db()
    assert report.status == LabStatus.RELEASED and report.released_by == doctor
