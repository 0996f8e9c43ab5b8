"""The day board in a browser at 1280px and 768px: the front desk marks a patient
arrived, then in consultation, without a reload; axe-core after each step."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clinic.appointments.models import Appointment, Status
from clinic.core import clock
from clinic.doctors.models import WeeklySchedule, default_location_pk
from clinic.staff.roles import Role
from clinic.testing import make_doctor, make_patient, make_staff
from tests.browser.conftest import WORKSPACE_VIEWPORTS
from tests.browser.test_accessibility import check_page
from tests.browser.workspace_helpers import staff_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=WORKSPACE_VIEWPORTS)
def viewport(request):
    return request.param


def todays_visit() -> Appointment:
    """A doctor working all of today (whenever the test runs) with one booked visit."""
    today = clock.today()
    doctor = make_doctor(name="Dr. Browser Board", schedule=False)
    WeeklySchedule.objects.create(
        doctor=doctor, location_id=default_location_pk(), weekday=today.weekday(),
        start=dt.time(6, 0), end=dt.time(22, 0), slot_minutes=60,
    )
    patient = make_patient(first_name="Bina", last_name="Board", phone="+919800000042")
    # Inserted as the booking service leaves it: booking refuses past times, and the
    # test must find the visit on today's board at any hour.
    return Appointment.objects.create(
        patient=patient, doctor=doctor, date=today, start=dt.time(10, 0), end=dt.time(10, 30),
        slot_number=5,
    )


def step(label: str) -> re.Pattern:
    """A step's button: its label, then the patient's name (read out, not shown)."""
    return re.compile(rf"^{label}\W+Bina Board$")


def test_the_front_desk_marks_a_patient_arrived_then_in_consultation(page, live_server, screenshot):
    visit = todays_visit()
    staff_log_in(page, live_server, make_staff(Role.FRONT_DESK))
    page.goto("/clinic/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Day board").click()
    expect(page.get_by_role("heading", name="Day board")).to_be_visible()
    board = page.get_by_role("region", name="Appointments by doctor and time")
    expect(board.get_by_role("columnheader", name=re.compile("Dr. Browser Board"))).to_be_visible()
    expect(board.get_by_text("Bina Board", exact=True)).to_be_visible()
    expect(board.get_by_text("+919800000042")).to_be_visible()
    expect(board.get_by_text("Free").first).to_be_attached()
    check_page(page)

    page.get_by_role("button", name=step("Arrived")).click()
    expect(page.get_by_role("status")).to_have_text("Bina Board is marked arrived.")
    expect(board.get_by_text(re.compile(r"Waiting \d+ min"))).to_be_visible()
    check_page(page)

    page.get_by_role("button", name=step("In consultation")).click()
    expect(page.get_by_role("status")).to_have_text("Bina Board is marked in consultation.")
    expect(page.get_by_role("button", name=step("Done"))).to_be_visible()
    check_page(page)
    screenshot(page, f"workspace-day-board-{page.viewport_name}")
    visit.refresh_from_db()
    assert visit.status == Status.IN_CONSULTATION
    assert visit.arrived_at is not None and visit.consultation_started_at is not None
