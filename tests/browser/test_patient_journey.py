"""A patient's journeys through the portal in headless Chromium, at a phone and a desktop size."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clinic.core.tests.files_helpers import pdf_bytes, upload
from clinic.labs.models import LabReport
from clinic.patients.models import Patient
from clinic.records.models import Consultation, PrescriptionLine
from clinic.testing import PASSWORD, lab_report_released, make_doctor, make_patient, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_menu(nav) -> None:
    """Open the phone menu and wait until Bootstrap's collapse animation has ended.

    A click while the menu is still "collapsing" can land on the page behind it.
    """
    nav.get_by_role("button", name="Toggle navigation").click()
    expect(nav.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))


def go(page, link: str) -> None:
    """Follow a link of the main navigation; on a phone, open the menu first."""
    nav = page.get_by_role("navigation", name="Main")
    # Decided by the viewport, not by polling visibility, which races the stylesheet.
    if page.viewport_name == "phone":
        open_menu(nav)
    nav.get_by_role("link", name=link, exact=True).click()


def log_out(page) -> None:
    nav = page.get_by_role("navigation", name="Main")
    if page.viewport_name == "phone":
        open_menu(nav)
    with page.expect_navigation():
        nav.get_by_role("button", name="Log out").click()


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


@pytest.fixture
def doctor(db):
    return make_doctor(name="Dr. Asha Rao", specialty="Cardiology")


def test_register_book_cancel_and_see_the_history(page, doctor, screenshot):
    """Register, log out and in, book through the date picker, cancel, find it in the history."""
    phone = page.viewport_name == "phone"
    make_doctor(name="Dr. Kiran Mehta", specialty="Pediatrics")
    make_doctor(name="Dr. Leela Iyer", specialty="Dermatology")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CMS Family Clinic")
    expect(page.get_by_text("Dr. Asha Rao")).to_be_visible()
    screenshot(page, "mobile-home" if phone else "home")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("First name").fill("Carol")
    page.get_by_label("Last name").fill("Chen")
    page.get_by_label("Email").fill("carol@example.com")
    page.get_by_label("Mobile number").fill("9876501234")
    page.get_by_label("Gender").select_option("Female")
    page.get_by_label("Date of birth").fill("1992-04-01")
    page.get_by_label("Address").fill("7 Park Lane, Bengaluru")
    page.get_by_label("Password").fill("A-long-Secret-77")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome, Carol")
    assert Patient.objects.filter(user__email="carol@example.com").exists()

    log_out(page)
    expect(page.get_by_role("status")).to_contain_text("You have been logged out.")
    log_in(page, "carol@example.com", "A-long-Secret-77")

    # Book: doctor, then a date (htmx swaps the picker in place), then a time, then confirm.
    go(page, "Book")
    page.get_by_role("link", name="Dr. Asha Rao").click()
    # htmx binds the date chips once the page has loaded; a click before that is a plain link.
    expect(page).to_have_url(re.compile(r"/book/\d+/$"))
    page.wait_for_load_state("load")
    page.evaluate("window.__sameDocument = true")
    first_date = page.locator("#picker a.date-chip").first
    first_date.click()
    expect(page.locator("#picker a.date-chip").first).to_have_attribute("aria-current", "date")
    # No time is picked for the patient: Continue asks for one first.
    expect(page.locator(".slot-grid input:checked")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"\?date=\d{4}-\d{2}-\d{2}"))
    assert page.evaluate("window.__sameDocument") is True, "htmx should swap, not reload"
    expect(page.locator("#slots-title")).to_be_focused()
    slot = page.locator(".slot-grid label").nth(1)
    slot_text = slot.inner_text()
    slot.click()
    page.get_by_label("Reason for visit").fill("Chest pain")
    screenshot(page, "mobile-booking" if phone else "booking")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()

    # The confirmation page: what, when and where, with a way back to all visits.
    expect(page).to_have_url(re.compile(r"/appointments/\d+/\?booked=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_role("status")).to_contain_text(f"at {slot_text}")
    confirmation = page.locator("[data-appointment-detail]")
    for shown in ("Dr. Asha Rao", slot_text, "Token number", "12 MG Road"):
        expect(confirmation).to_contain_text(shown)
    expect(page.get_by_role("link", name="Cancel this appointment")).to_be_visible()
    page.get_by_role("link", name="All appointments").click()
    active = page.locator("[data-appointment]")
    expect(active).to_have_count(1)
    expect(active).to_contain_text(slot_text)
    expect(active).to_contain_text("Chest pain")
    screenshot(page, "mobile-appointments" if phone else "appointments")

    go(page, "Dashboard")
    expect(page.get_by_role("heading", name="Your next appointment")).to_be_visible()
    expect(page.locator("main")).to_contain_text(slot_text)
    screenshot(page, "mobile-dashboard" if phone else "dashboard")

    # Cancel behind a confirmation, then find it among the past appointments.
    go(page, "Appointments")
    page.locator("[data-appointment] a", has_text="Cancel").click()
    expect(page.get_by_role("heading", name="Cancel this appointment?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_role("status")).to_contain_text("Your appointment has been cancelled.")
    expect(page.locator("[data-appointment]")).to_have_count(0)
    page.get_by_role("link", name="Past and cancelled").click()
    past = page.locator("[data-appointment]")
    expect(past).to_have_count(1)
    expect(past).to_contain_text("Cancelled")
    expect(past).to_contain_text(slot_text)


def test_a_slot_taken_meanwhile_shows_a_message_and_fresh_slots(page, doctor):
    from clinic.appointments.services import appointment_book
    from clinic.doctors.selectors import doctor_free_slots_between

    make_patient(first_name="Alice", username="alice")
    bob = make_patient(first_name="Bob", username="bob")
    log_in(page, "alice")
    page.goto(f"/book/{doctor.pk}/")
    page.locator("#picker a.date-chip").first.click()
    page.locator(".slot-grid label").first.click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()

    day, times = next(iter(doctor_free_slots_between(
        doctor=doctor, first=dt.date.today(), last=dt.date.today() + dt.timedelta(days=30)
    ).items()))
    appointment_book(patient=bob, doctor=doctor, day=day, start=times[0])

    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("alert")).to_contain_text("is not free any more")
    expect(page.locator(".slot-grid label").first).not_to_have_text(
        times[0].strftime("%I:%M %p")
    )


def test_download_a_lab_report_and_a_prescription(page, doctor, screenshot):
    patient = make_patient(first_name="Alice", username="alice")
    report = LabReport.objects.create(
        patient=patient, doctor=doctor, test="Complete blood count", date=dt.date(2025, 1, 3)
    )
    lab_report_released(report, upload(pdf_bytes(), "CBC result.pdf"))
    LabReport.objects.create(
        patient=patient, doctor=doctor, test="Lipid profile", date=dt.date(2025, 1, 4)
    )
    consultation = Consultation.objects.create(
        patient=patient, doctor=doctor, date=dt.date(2025, 1, 3), purpose="Fever",
        diagnosis="Viral fever",
    )
    PrescriptionLine.objects.create(
        consultation=consultation, medicine="Paracetamol", dose="500 mg",
        frequency="three times a day", duration="3 days", instructions="after food",
    )
    log_in(page, "alice")

    go(page, "Lab reports")
    expect(page.get_by_text("Awaiting results")).to_be_visible()
    screenshot(page, "mobile-reports" if page.viewport_name == "phone" else "reports")
    with page.expect_download() as info:
        page.locator(f'[data-report="{report.pk}"]').get_by_role(
            "link", name=re.compile("^Download")
        ).click()
    download = info.value
    assert download.suggested_filename == "CBC result.pdf"
    assert open(download.path(), "rb").read().startswith(b"%PDF-")

    go(page, "Consultations")
    expect(page.get_by_text("Paracetamol")).to_be_visible()
    screenshot(page, "mobile-consultations" if page.viewport_name == "phone" else "consultations")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download PDF")).click()
    download = info.value
    assert download.suggested_filename == "prescription-2025-01-03.pdf"
    assert open(download.path(), "rb").read().startswith(b"%PDF-")


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_reset_a_forgotten_password(page, mailoutbox, channel):
    from clinic.notifications.backends import sms_locmem

    patient = make_patient(first_name="Alice", username="alice", phone="9811122233")
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_role("radio", name="SMS to my mobile" if channel == "sms" else "Email").check()
    address = "9811122233" if channel == "sms" else patient.user.email
    page.get_by_label("Your email or mobile number").fill(address)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()

    body = sms_locmem.outbox[-1].body if channel == "sms" else mailoutbox[-1].body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Check the code").click()
    page.get_by_label(re.compile(r"^New password\W*$")).fill("Fresh-Start-2030")
    page.get_by_label("New password again").fill("Fresh-Start-2030")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been reset.")
    log_in(page, "alice", "Fresh-Start-2030")


def test_keyboard_users_can_skip_to_the_content_and_see_focus(page, doctor):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_staff_without_a_patient_profile_see_the_403_page(page, doctor):
    make_user(username="frontdesk", is_staff=True)
    page.goto("/login/")
    page.get_by_label("Username or email").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not for your account")
