"""Moving a visit in the portal: Move, a new date and time, confirm; one booking, moved."""

import datetime as dt
import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book
from clinic.core import clock
from clinic.doctors.selectors import doctor_free_slots_between
from clinic.patients.models import Patient
from clinic.testing import PASSWORD, make_doctor, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, login: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_move_a_visit_to_another_time(page, mailoutbox):
    doctor = make_doctor(name="Dr. Asha Rao", specialty="Cardiology")
    alice = make_patient(first_name="Alice", username="alice")
    Patient.objects.filter(pk=alice.pk).update(email_verified=True)  # messages go to verified
    today = clock.today()
    free = doctor_free_slots_between(
        doctor=doctor, first=today + dt.timedelta(days=1), last=today + dt.timedelta(days=20)
    )
    (day, times), *_ = free.items()
    booked = appointment_book(patient=alice, doctor=doctor, day=day, start=times[0])
    mailoutbox.clear()

    log_in(page, "alice")
    page.goto("/appointments/")
    page.locator(f'[data-appointment="{booked.pk}"]').get_by_role(
        "link", name=re.compile("^Move")
    ).click()
    expect(page.get_by_role("heading", name="Move your appointment")).to_be_visible()
    page.locator("#picker a.date-chip").first.click()
    expect(page.locator(".slot-grid input:checked")).to_have_count(0)
    target = page.locator(".slot-grid label").nth(2)
    target_text = target.inner_text()
    target.click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Move this appointment?")).to_be_visible()
    page.get_by_role("button", name="Move it").click()

    expect(page).to_have_url(re.compile(rf"/appointments/{booked.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Moved from")
    expect(page.locator("[data-appointment-detail]")).to_contain_text(target_text)
    moved = Appointment.objects.get(pk=booked.pk)
    assert clock.slot_label(moved.start) == target_text
    assert Appointment.objects.filter(patient=alice).count() == 1
    assert len(mailoutbox) == 1 and "moved" in mailoutbox[0].body.lower()

    # Add to calendar: the moved visit as an .ics that calendar apps read.
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar").click()
    [event] = Calendar.from_ical(open(info.value.path(), "rb").read()).walk("VEVENT")
    assert event.decoded("dtstart") == moved.starts_at
    assert int(event["sequence"]) == moved.sequence
