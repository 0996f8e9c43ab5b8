"""The Content-Security-Policy holds in a real browser: no violations, and the pages still work.

Chromium reports every blocked inline script, inline style, eval or foreign
source as a `securitypolicyviolation` event and a console error; each page
below must raise none, and keep working (Swagger UI renders the operations,
the admin's inline formsets add rows).
"""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic.testing import PASSWORD, make_doctor, make_patient, make_user, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def viewport():
    return "desktop"  # the policy does not depend on the viewport


@pytest.fixture
def watched(page):
    """The page, recording CSP violations and console errors about the policy."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.console_errors = []
    page.on(
        "console",
        lambda msg: (
            page.console_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return page


def assert_no_violations(page, where: str) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{where}: {violations}"
    assert page.console_errors == [], f"{where}: {page.console_errors}"


def visit(page, path: str, timeout: float = 10_000):
    response = page.goto(path, timeout=timeout)
    assert response.status == 200, path
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, path)


def test_public_and_patient_pages_raise_no_violation(watched):
    doctor = make_doctor(name="Dr. Asha Rao", specialty="Cardiology")
    make_patient(first_name="Alice", username="alice")
    for path in ("/", "/doctors/", f"/doctors/{doctor.pk}/", "/login/", "/register/"):
        visit(watched, path)
    watched.get_by_role("link", name="Log in").first.click()
    watched.get_by_label("Username or email").fill("alice")
    watched.get_by_label("Password").fill(PASSWORD)
    watched.get_by_role("button", name="Log in").click()
    expect(watched).to_have_url(re.compile(r"/dashboard/$"))
    for path in ("/dashboard/", "/book/", f"/book/{doctor.pk}/", "/appointments/", "/profile/"):
        visit(watched, path)


def test_swagger_ui_works_under_the_policy(watched):
    visit(watched, "/cms-api/docs/", timeout=60_000)  # a 1.4 MB bundle on a busy machine
    expect(watched.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert watched.locator(".opblock").count() >= 10
    assert_no_violations(watched, "/cms-api/docs/ after rendering")


def test_the_admin_works_under_the_policy(watched):
    boss = make_user(username="boss", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    doctor = make_doctor(name="Dr. Asha Rao")
    visit(watched, "/admin/login/")
    watched.get_by_label("Username").fill("boss")
    watched.get_by_label("Password").fill(PASSWORD)
    watched.get_by_label("Code from your authenticator app").fill(totp_now(device))
    watched.get_by_role("button", name="Log in").click()
    expect(watched).to_have_url(re.compile(r"/admin/$"))
    visit(watched, "/admin/")
    visit(watched, f"/admin/doctors/doctor/{doctor.pk}/change/")
    # The inline formsets' JavaScript runs: "Add another" adds a row.
    rows = watched.locator("#time_off-group tr.form-row:not(.empty-form)")
    before = rows.count()
    watched.locator("#time_off-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    visit(watched, "/admin/appointments/appointment/add/")
    assert_no_violations(watched, "admin after interaction")
