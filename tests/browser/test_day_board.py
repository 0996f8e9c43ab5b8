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


def working_today(name: str):
    """A doctor working all of today, whenever the test runs."""
    doctor = make_doctor(name=name, schedule=False)
    WeeklySchedule.objects.create(
        doctor=doctor, location_id=default_location_pk(), weekday=clock.today().weekday(),
        start=dt.time(6, 0), end=dt.time(22, 0), slot_minutes=60,
    )
    return doctor


def visit(doctor, patient, start: dt.time, **state) -> Appointment:
    # Inserted as the state service leaves them: booking refuses past times, and the
    # test must find its visits on today's board at any hour.
    return Appointment.objects.create(
        patient=patient, doctor=doctor, date=clock.today(), start=start,
        end=start.replace(minute=30), slot_number=start.hour - 5, **state,
    )


def todays_visit() -> Appointment:
    """The visit the desk steps through, and two others on a second doctor's column."""
    other = working_today("Dr. Kavya Iyer")
    now = clock.now()
    visit(other, make_patient(first_name="Dev", last_name="Waiting"), dt.time(9, 0),
          status=Status.ARRIVED, arrived_at=now - dt.timedelta(minutes=12))
    visit(other, make_patient(first_name="Esha", last_name="Seen"), dt.time(8, 0),
          status=Status.COMPLETED, arrived_at=now - dt.timedelta(minutes=70),
          consultation_started_at=now - dt.timedelta(minutes=50), completed_at=now)
    patient = make_patient(first_name="Bina", last_name="Board", phone="+919800000042")
    return visit(working_today("Dr. Browser Board"), patient, dt.time(10, 0))


def step(label: str) -> re.Pattern:
    """A step's button: its label, then the patient's name (read out, not shown)."""
    return re.compile(rf"^{label}\W+Bina Board$")


def test_the_front_desk_marks_a_patient_arrived_then_in_consultation(page, live_server, screenshot):
    bina = todays_visit()
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

    expect(board.get_by_text("Waiting 12 min")).to_be_visible()
    page.get_by_role("button", name=step("Arrived")).click()
    expect(page.get_by_role("status")).to_have_text("Bina Board is marked arrived.")
    card = board.locator(f'[data-appointment="{bina.pk}"]')
    expect(card.get_by_text(re.compile(r"Waiting \d+ min"))).to_be_visible()
    # The keyboard's place is kept: the focus is on the visit just stepped.
    expect(card).to_be_focused()
    check_page(page)

    page.get_by_role("button", name=step("In consultation")).click()
    expect(page.get_by_role("status")).to_have_text("Bina Board is marked in consultation.")
    expect(page.get_by_role("button", name=step("Done"))).to_be_visible()
    check_page(page)
    screenshot(page, f"workspace-day-board-{page.viewport_name}")
    bina.refresh_from_db()
    assert bina.status == Status.IN_CONSULTATION
    assert bina.arrived_at is not None and bina.consultation_started_at is not None
