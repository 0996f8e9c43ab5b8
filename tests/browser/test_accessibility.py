"""Every portal page, logged in and out, at 375px and 1280px: axe-core finds no serious or
critical violation, headings go in order, and nothing scrolls sideways.

Pages in their other states (a form with errors, a code sent, a cancelled visit) are
cases of their own, so that each state is checked, not only the first view.
"""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core import clock
from clinic.core.tests.files_helpers import pdf_bytes, upload
from clinic.doctors.selectors import doctor_free_slots_between
from clinic.labs.models import LabReport
from clinic.labs.services import lab_report_attach
from clinic.records.models import Consultation, PrescriptionLine
from clinic.testing import make_doctor, make_patient
from clinic.waitlist.services import waitlist_join, waitlist_leave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"serious", "critical"}

# The levels of the visible and screen-reader headings, in document order.
HEADING_LEVELS = """() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
  .filter(h => !h.closest('[hidden],[aria-hidden="true"]'))
  .map(h => Number(h.tagName[1]))"""


class Clinic:
    """The data every page needs: a doctor, a patient with visits, records and reports."""

    def __init__(self):
        self.doctor = make_doctor(name="Dr. Asha Rao", specialty="Cardiology")
        self.patient = make_patient(
            first_name="Alice", last_name="Adams", username="alice", phone="9811122233"
        )
        today = clock.today()
        free = doctor_free_slots_between(
            doctor=self.doctor,
            first=today + dt.timedelta(days=1),
            last=today + dt.timedelta(days=20),
        )
        (self.day, times), *_ = free.items()
        self.free_time = times[1]
        self.upcoming = appointment_book(
            patient=self.patient,
            doctor=self.doctor,
            day=self.day,
            start=times[0],
            reason="Chest pain",
        )
        # A live waitlist offer for Alice (Bob cancels the slot) and an entry she left.
        self.entry = waitlist_join(patient=self.patient, doctor=self.doctor, first_day=self.day)
        bob = make_patient(first_name="Bob", username="bob")
        bobs = appointment_book(patient=bob, doctor=self.doctor, day=self.day, start=times[2])
        appointment_cancel(patient=bob, ids=[bobs.pk])
        other = make_doctor(name="Dr. Kiran Mehta", specialty="Pediatrics")
        self.left = waitlist_join(patient=self.patient, doctor=other, first_day=self.day)
        waitlist_leave(patient=self.patient, ids=[self.left.pk])
        self.cancelled = Appointment.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            date=today - dt.timedelta(days=3),
            start=dt.time(9),
            slot_number=1,
            status=Status.CANCELLED,
        )
        Appointment.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            date=today - dt.timedelta(days=10),
            start=dt.time(9),
            slot_number=1,
            status=Status.COMPLETED,
        )
        consultation = Consultation.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            date=today - dt.timedelta(days=10),
            purpose="Fever",
            diagnosis="Viral fever",
        )
        PrescriptionLine.objects.create(
            consultation=consultation,
            medicine="Amoxicillin with clavulanic acid",
            dose="625 mg",
            frequency="twice a day",
            duration="7 days",
            instructions="after food, with a full glass of water; finish the course",
        )
        report = LabReport.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            test="Complete blood count",
            date=today - dt.timedelta(days=9),
        )
        lab_report_attach(report=report, upload=upload(pdf_bytes(), "cbc.pdf"), actor=None)
        LabReport.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            test="Lipid profile",
            date=today - dt.timedelta(days=8),
        )


@pytest.fixture
def clinic(db):
    return Clinic()


def log_in(page, live_server, user) -> None:
    """A real session for `user`, handed to the browser as its cookie."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def fill_forgot(page, clinic):
    page.goto("/password/forgot/")
    page.get_by_label("Your email or mobile number").fill(clinic.patient.user.email)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()


def password_new(page, clinic, mailoutbox):
    fill_forgot(page, clinic)
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Check the code").click()
    expect(page).to_have_url(re.compile(r"/password/new/$"))


def wrong_code(page, clinic):
    fill_forgot(page, clinic)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Check the code").click()


def failed_login(page, clinic):
    page.goto("/login/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()


def register_errors(page, clinic):
    page.goto("/register/")
    page.get_by_role("button", name="Create account").click()


def verify_code_sent(page, clinic):
    page.goto("/profile/verify/email/")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_label("Code")).to_be_visible()


def waitlist_join_errors(page, clinic):
    page.goto("/waitlist/join/")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("alert")).to_be_visible()


def visit(path):
    return lambda page, clinic: page.goto(path(clinic) if callable(path) else path)


LOGGED_OUT = {
    "home": visit("/"),
    "doctors": visit("/doctors/"),
    "doctors-filtered": visit("/doctors/?q=zzz"),
    "doctor": visit(lambda c: f"/doctors/{c.doctor.pk}/"),
    "login": visit("/login/"),
    "login-failed": failed_login,
    "register": visit("/register/"),
    "register-errors": register_errors,
    "password-forgot": visit("/password/forgot/"),
    "password-code": fill_forgot,
    "password-code-wrong": wrong_code,
    "password-new": "password_new",
    "not-found": visit("/no-such-page/"),
}

LOGGED_IN = {
    "dashboard": visit("/dashboard/"),
    "book": visit("/book/"),
    "book-doctor": visit(lambda c: f"/book/{c.doctor.pk}/"),
    "book-doctor-date": visit(lambda c: f"/book/{c.doctor.pk}/?date={c.day:%Y-%m-%d}"),
    "book-confirm": visit(
        lambda c: (
            f"/book/{c.doctor.pk}/confirm/?date={c.day:%Y-%m-%d}"
            f"&time={c.free_time:%H:%M}&reason=Check-up"
        )
    ),
    "appointments": visit("/appointments/"),
    "appointments-past": visit("/appointments/past/"),
    "appointment-booked": visit(lambda c: f"/appointments/{c.upcoming.pk}/?booked=1"),
    "appointment-cancelled": visit(lambda c: f"/appointments/{c.cancelled.pk}/"),
    "appointment-cancel": visit(lambda c: f"/appointments/{c.upcoming.pk}/cancel/"),
    "appointment-move": visit(lambda c: f"/appointments/{c.upcoming.pk}/move/"),
    "appointment-move-date": visit(
        lambda c: f"/appointments/{c.upcoming.pk}/move/?date={c.day:%Y-%m-%d}"
    ),
    "appointment-move-confirm": visit(
        lambda c: (
            f"/appointments/{c.upcoming.pk}/move/confirm/?date={c.day:%Y-%m-%d}"
            f"&time={c.free_time:%H:%M}"
        )
    ),
    "waitlist": visit("/waitlist/"),
    "waitlist-join": visit(lambda c: f"/waitlist/join/?doctor={c.doctor.pk}"),
    "waitlist-join-errors": waitlist_join_errors,
    "waitlist-claim": visit(lambda c: f"/waitlist/{c.entry.pk}/claim/"),
    "waitlist-claim-closed": visit(lambda c: f"/waitlist/{c.left.pk}/claim/"),
    "consultations": visit("/consultations/"),
    "reports": visit("/reports/"),
    "profile": visit("/profile/"),
    "profile-edit": visit("/profile/edit/"),
    "password-change": visit("/profile/password/"),
    "calendar": visit("/profile/calendar/"),
    "verify-email": visit("/profile/verify/email/"),
    "verify-sms": visit("/profile/verify/sms/"),
    "verify-code-sent": verify_code_sent,
    "home": visit("/"),
    "doctors": visit("/doctors/"),
    "doctor": visit(lambda c: f"/doctors/{c.doctor.pk}/"),
    "not-found": visit("/appointments/999999/"),
}


def check_page(page) -> None:
    page.wait_for_load_state("load")
    results = AXE.run(page)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert not blocking, f"{page.url}:\n" + "\n".join(blocking)

    levels = page.evaluate(HEADING_LEVELS)
    assert levels and levels[0] == 1, f"{page.url}: the first heading is h{levels[:1]}"
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert not skips, f"{page.url}: headings skip a level: {skips} in {levels}"

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url}: the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("name", list(LOGGED_OUT))
def test_a_page_for_visitors_is_accessible(page, clinic, mailoutbox, name):
    step = LOGGED_OUT[name]
    if step == "password_new":
        password_new(page, clinic, mailoutbox)
    else:
        step(page, clinic)
    check_page(page)


@pytest.mark.parametrize("name", list(LOGGED_IN))
def test_a_patients_page_is_accessible(page, live_server, clinic, name):
    log_in(page, live_server, clinic.patient.user)
    LOGGED_IN[name](page, clinic)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Log out")
    check_page(page)


def test_after_a_failed_login_focus_is_on_the_error(page, clinic):
    failed_login(page, clinic)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("do not match")
    expect(alert).to_be_focused()


def test_the_prescription_table_fits_a_phone(page, live_server, clinic):
    """At 375px the prescription reads as labelled rows, with no sideways scroll;
    at 1280px it stays a table with its column headers."""
    log_in(page, live_server, clinic.patient.user)
    page.goto("/consultations/")
    table = page.get_by_role("table", name=re.compile("Prescription of"))
    expect(table).to_be_visible()
    header = table.get_by_role("columnheader", name="Medicine")
    if page.viewport_name == "desktop":
        expect(header).to_be_visible()
        assert table.evaluate("t => getComputedStyle(t).display") == "table"
        return
    widths = table.evaluate(
        """t => { const box = t.parentElement;
                  return [box.scrollWidth, box.clientWidth, t.getBoundingClientRect().right,
                          window.innerWidth]; }"""
    )
    scroll_width, client_width, right, viewport_width = widths
    assert scroll_width <= client_width, widths
    assert right <= viewport_width, widths
    cell = page.get_by_role("cell", name=re.compile("Amoxicillin"))
    expect(cell).to_be_visible()
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert label == '"Medicine"'


CONTRAST_CLASSES = [
    "btn btn-outline-secondary",
    "btn btn-outline-danger",
    "btn btn-outline-primary",
    "btn btn-primary",
    "btn btn-danger",
    "text-body-secondary",
    "list-meta",
    "eyebrow",
]

# WCAG's contrast ratio of the computed text colour on a background colour.
CONTRAST = """([cls, background]) => {
  const host = document.createElement('div');
  host.style.background = background;
  const el = document.createElement(cls.startsWith('btn') ? 'a' : 'span');
  el.className = cls; el.textContent = 'Sample'; el.href = '#';
  host.appendChild(el); document.querySelector('main').appendChild(host);
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(el);
  const fg = rgb(style.color);
  const bgOwn = style.backgroundColor;
  const bg = bgOwn && !bgOwn.startsWith('rgba(0, 0, 0, 0)') ? rgb(bgOwn)
      : rgb(getComputedStyle(host).backgroundColor);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  host.remove();
  return (hi + 0.05) / (lo + 0.05);
}"""


def test_every_button_and_text_style_meets_4_5_to_1_on_the_page_and_on_cards(page, clinic):
    """The Cancel (red outline) and Back (grey outline) buttons were 4.2:1 on the page."""
    page.goto("/")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    low = []
    for background in ("rgb(255, 255, 255)", body):
        for cls in CONTRAST_CLASSES:
            ratio = page.evaluate(CONTRAST, [cls, background])
            if ratio < 4.5:
                low.append(f"{cls} on {background}: {ratio:.2f}:1")
    assert not low, low
