"""The front desk in a browser at 1280px and 768px: find a patient (never the doctor of
the same name), book a caller into a free slot, print the slip; axe-core on each page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book
from clinic.core import clock
from clinic.patients.models import Patient
from clinic.staff.roles import Role
from clinic.testing import make_doctor, make_patient, make_staff, next_weekday
from tests.browser.conftest import WORKSPACE_VIEWPORTS
from tests.browser.test_accessibility import check_page
from tests.browser.workspace_helpers import staff_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=WORKSPACE_VIEWPORTS)
def viewport(request):
    return request.param


def test_the_desk_finds_a_caller_books_a_free_slot_and_prints_the_slip(page, live_server):
    doctor = make_doctor(name="Dr. Asha Rao")
    patient = make_patient(first_name="Asha", last_name="Rao")
    make_patient(first_name="Ravi", last_name="Kumar")
    desk = make_staff(Role.FRONT_DESK, first_name="Rekha", last_name="Desk")
    day = next_weekday(clock.today(), 1)  # a Tuesday: the default week has sessions
    staff_log_in(page, live_server, desk)

    page.goto("/clinic/")
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()
    check_page(page)
    page.get_by_label("Find a patient").fill("Asha Rao")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Patients found")
    expect(results.get_by_role("link", name="Asha Rao")).to_be_visible()
    expect(results.get_by_role("row")).to_have_count(2)  # the header and Asha, no doctor
    expect(results).to_contain_text(patient.record_number)
    check_page(page)

    results.get_by_role("link", name="Asha Rao").click()
    expect(page.get_by_role("heading", name=re.compile("Asha Rao"))).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Doctor").select_option(label="Dr. Asha Rao · General Medicine")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show free slots").click()
    expect(page.get_by_role("heading", name=re.compile("Free slots on"))).to_be_visible()
    check_page(page)
    page.get_by_text("10:00 AM", exact=False).first.click()
    page.get_by_label("Reason for visit").fill("Follow-up")
    page.get_by_role("button", name="Book this slot").click()

    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "token 3"
    )
    appointment = Appointment.objects.get(patient=patient)
    assert (appointment.doctor_id, appointment.date, appointment.slot_number) == (
        doctor.pk, day, 3
    )
    check_page(page)
    page.get_by_role("link", name="Print the slip").click()
    expect(page.get_by_role("heading", name=re.compile("appointment slip"))).to_be_visible()
    expect(page.locator(".slip-token")).to_have_text("3")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    check_page(page)


def test_the_desk_registers_a_walk_in_then_moves_and_cancels_a_visit(page, live_server):
    doctor = make_doctor(name="Dr. Mira Shah")
    desk = make_staff(Role.FRONT_DESK)
    staff_log_in(page, live_server, desk)
    page.goto("/clinic/desk/")
    page.get_by_role("link", name="Register a walk-in").click()
    check_page(page)
    page.get_by_label("First name").fill("Wally")
    page.get_by_label("Last name").fill("Walker")
    page.get_by_label("Sex").select_option("Male")
    page.get_by_label("Date of birth").fill("1980-02-03")
    page.get_by_label("Mobile number").fill("98765 43210")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name=re.compile("Wally Walker"))).to_be_visible()
    check_page(page)

    day = next_weekday(clock.today(), 2)  # a Wednesday
    walker = Patient.objects.get(given_name="Wally")
    appointment_book(patient=walker, doctor=doctor, day=day, start=dt.time(9))
    page.reload()
    page.get_by_role("link", name=re.compile("^Move")).click()
    expect(page.get_by_role("heading", name=re.compile("Free slots on"))).to_be_visible()
    check_page(page)
    page.get_by_text("11:00 AM", exact=False).first.click()
    page.get_by_role("button", name="Move to this slot").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "token 5"
    )
    page.get_by_role("link", name=re.compile("^Cancel")).click()
    check_page(page)
    page.get_by_label("Reason for cancelling").fill("Travelling")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_text(re.compile("Cancelled Wally Walker"))).to_be_visible()
    check_page(page)
