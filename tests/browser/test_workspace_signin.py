"""The staff sign-in in a browser at 1280px and 768px: a first sign-in sets up the
authenticator from the page's QR code and key, then the workspace; axe-core on each page."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic.audit.services import log_record_access
from clinic.staff.roles import Role
from clinic.testing import PASSWORD, make_patient, make_staff
from tests.browser.conftest import WORKSPACE_VIEWPORTS
from tests.browser.test_accessibility import check_page, log_in
from tests.browser.workspace_helpers import staff_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=WORKSPACE_VIEWPORTS)
def viewport(request):
    return request.param


def code_for(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_first_sign_in_sets_up_the_authenticator(page):
    make_staff(Role.MANAGER, username="maya", first_name="Maya", last_name="Manager")
    page.goto("/clinic/")
    expect(page).to_have_url(re.compile(r"/clinic/login/\?next="))
    check_page(page)
    page.get_by_label("Username or email").fill("maya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    check_page(page)
    secret = page.locator("code.secret-key").inner_text()
    page.get_by_label("6-digit code").fill("000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    check_page(page)
    time.sleep(1.1)  # the device's back-off after a wrong code
    page.get_by_label("6-digit code").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and sign in").click()
    # A manager starts on the manager's pages.
    expect(page.get_by_role("heading", name="Manage the clinic")).to_be_visible()
    expect(page.get_by_role("navigation", name="Workspace")).to_be_attached()
    check_page(page)


def test_a_returning_sign_in_asks_for_the_code(page):
    user = make_staff(Role.FRONT_DESK, username="rekha")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto("/clinic/login/")
    page.get_by_label("Username or email").fill("rekha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    check_page(page)
    secret = base64.b32encode(device.bin_key).decode()
    page.get_by_label("6-digit code").fill(code_for(secret))
    page.get_by_role("button", name="Sign in").click()
    # The front desk starts on the front desk.
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()
    check_page(page)


def test_the_access_logs_are_accessible(page, live_server):
    patient = make_patient(first_name="Alice", last_name="Adams")
    manager = make_staff(Role.MANAGER, first_name="Maya", last_name="Manager")

    class Request:
        user, path, META = manager, "/clinic/patients/1/", {"REMOTE_ADDR": "10.1.2.3"}

    log_record_access(request=Request, patients=patient, via="workspace")
    staff_log_in(page, live_server, manager)
    page.goto(f"/clinic/patients/{patient.pk}/access/")
    expect(page.get_by_role("cell", name="10.1.2.3")).to_be_visible()
    check_page(page)
    page.context.clear_cookies()
    log_in(page, live_server, patient.user)
    page.goto("/profile/record-access/")
    expect(page.get_by_role("cell", name="Maya Manager")).to_be_visible()
    check_page(page)
