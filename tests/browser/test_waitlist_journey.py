"""The waitlist in the portal: join from the booking page, an offer when a slot frees up
(another patient cancels through the service), claim it from the link in the email."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core import clock
from clinic.doctors.selectors import doctor_free_slots_between
from clinic.patients.models import Patient
from clinic.testing import PASSWORD, make_doctor, make_patient
from clinic.waitlist.models import EntryStatus, WaitlistEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, login: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_join_get_an_offer_and_claim_it(page, live_server, mailoutbox, settings):
    settings.PORTAL_BASE_URL = live_server.url  # the offer's link must reach this server
    doctor = make_doctor(name="Dr. Asha Rao", specialty="Cardiology")
    alice = make_patient(first_name="Alice", username="alice")
    Patient.objects.filter(pk=alice.pk).update(email_verified=True)  # offers go to verified
    bob = make_patient(first_name="Bob", username="bob")
    today = clock.today()
    free = doctor_free_slots_between(
        doctor=doctor, first=today + dt.timedelta(days=1), last=today + dt.timedelta(days=20)
    )
    (day, times), *_ = free.items()
    # Bob takes every slot of the day: Alice finds it full and joins the waitlist.
    bookings = [appointment_book(patient=bob, doctor=doctor, day=day, start=at) for at in times]

    log_in(page, "alice")
    page.goto(f"/book/{doctor.pk}/?date={day:%Y-%m-%d}")
    page.get_by_role("link", name="Join Dr. Asha Rao's waitlist").click()
    expect(page.get_by_role("heading", name="Join a waitlist")).to_be_visible()
    expect(page.get_by_label("Doctor")).to_have_value(str(doctor.pk))
    expect(page.get_by_label("From")).to_have_value(f"{day:%Y-%m-%d}")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("You are on Dr. Asha Rao's waitlist.")
    entry = WaitlistEntry.objects.get()
    expect(page.locator(f'[data-entry="{entry.pk}"]')).to_contain_text("Waiting")

    # Bob cancels one visit: the slot is offered to Alice, by email with a claim link.
    mailoutbox.clear()
    appointment_cancel(patient=bob, ids=[bookings[1].pk])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OFFERED
    [offer] = [m for m in mailoutbox if m.to == [alice.user.email]]
    link = re.search(r"(http://\S+/waitlist/\d+/claim/)", offer.body).group(1)

    page.reload()
    expect(page.locator(f'[data-entry="{entry.pk}"]')).to_contain_text("Offer for you")
    page.goto(link)
    expect(page.get_by_role("heading", name="A slot is held for you")).to_be_visible()
    slot_text = clock.slot_label(times[1])
    expect(page.locator("main")).to_contain_text(slot_text)
    page.get_by_role("button", name="Claim this slot").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.locator("[data-appointment-detail]")).to_contain_text(slot_text)
    mine = Appointment.objects.get(patient=alice, status=Status.BOOKED)
    assert (mine.date, mine.start) == (day, times[1])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.BOOKED
