"""The manager's pages in a browser at 1280px and 768px: sign in with the demo
authenticator, open the reports (charts drawn under the CSP, tables beside them),
download a CSV; axe-core finds no serious or critical violation on each page."""

import base64
import csv
import datetime as dt
import io
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from clinic.appointments.models import Appointment, Status
from clinic.core import clock
from clinic.core.management.commands._demo_staff import DEMO_TOTP_SECRET, demo_device
from clinic.staff.roles import Role
from clinic.testing import PASSWORD, make_doctor, make_patient, make_staff
from tests.browser.conftest import WORKSPACE_VIEWPORTS
from tests.browser.test_accessibility import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(params=WORKSPACE_VIEWPORTS)
def viewport(request):
    return request.param


def demo_code() -> str:
    totp = TOTP(base64.b32decode(DEMO_TOTP_SECRET))
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in_as_manager(page) -> None:
    user = make_staff(Role.MANAGER, username="anita", first_name="Anita", last_name="Desai")
    demo_device(user)
    page.goto("/clinic/login/")
    page.get_by_label("Username or email").fill("anita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("6-digit code").fill(demo_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Manage the clinic")).to_be_visible()


def visits_of_the_last_weeks() -> None:
    patient = make_patient(first_name="Ann", last_name="One")
    today = clock.today()
    for name in ("Dr. Asha Rao", "Dr. Vik Iyer"):
        doctor = make_doctor(name=name)
        Appointment.objects.bulk_create(
            Appointment(patient=patient, doctor=doctor, date=today - dt.timedelta(days=days),
                        start=dt.time(9 + n, 0), end=dt.time(9 + n, 30), slot_number=n + 1,
                        status=status)
            for days in range(1, 20, 3)
            for n, status in enumerate([Status.COMPLETED, Status.NO_SHOW, Status.COMPLETED])
        )


def test_the_manager_reads_the_reports_and_downloads_a_csv(page):
    visits_of_the_last_weeks()
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in_as_manager(page)
    check_page(page)

    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Visit reports")).to_be_visible()
    expect(page.locator('[data-figure="visits"]')).to_have_text("42")
    expect(page.locator('[data-figure="no-show-rate"]')).to_have_text("33.3 %")
    # Chart.js drew every chart (it sizes each canvas), and the CSP refused nothing.
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 4")
    assert page.evaluate("() => window.__cspViolations") == []
    table = page.get_by_role("region", name="By doctor")
    expect(table.get_by_role("row", name=re.compile("Dr. Asha Rao 21"))).to_be_visible()
    check_page(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the doctors' summary (CSV)").click()
    download = info.value
    assert re.fullmatch(r"doctors-summary_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv",
                        download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][0] == "doctor"
    assert [row[:4] for row in rows[1:]] == [
        ["Dr. Asha Rao", "21", "14", "7"],
        ["Dr. Vik Iyer", "21", "14", "7"],
        ["All doctors", "42", "28", "14"],
    ]

    # A bad range: a clear message, no report.
    page.get_by_role("textbox", name="From").fill("2030-02-01")
    page.get_by_role("textbox", name="To").fill("2030-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The last day is before the first.")).to_be_visible()
    check_page(page)


def test_the_manager_adds_a_visit_type_and_every_manager_page_is_accessible(page):
    make_doctor(name="Dr. Asha Rao")
    make_staff(Role.LAB, username="suresh", first_name="Suresh", last_name="Babu")
    sign_in_as_manager(page)

    page.get_by_role("link", name="Visit types").first.click()
    expect(page.get_by_role("heading", name="Visit types")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Add a visit type").click()
    page.get_by_label("Name").fill("Follow-up")
    page.get_by_label("Length (minutes)").fill("300")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ensure this value is less than or equal to 240.")).to_be_visible()
    check_page(page)
    page.get_by_label("Length (minutes)").fill("15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Visit type Follow-up (15 min) added.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Follow-up 15 min"))).to_be_visible()
    check_page(page)

    for link, heading in [
        ("Staff accounts", "Staff accounts"),
        ("Sessions and time off", "Sessions and time off"),
        ("Sites", "Sites"),
    ]:
        page.get_by_role("navigation", name="Manager's pages").get_by_role(
            "link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        check_page(page)
    page.goto("/clinic/manage/sessions/new/")
    check_page(page)
    page.goto("/clinic/manage/staff/new/")
    check_page(page)
    page.goto("/clinic/manage/staff/")
    page.get_by_role("link", name="Suresh Babu").click()
    page.get_by_role("button", name="Deactivate the account").click()
    expect(page.get_by_text("Suresh Babu's account is deactivated")).to_be_visible()
    check_page(page)
