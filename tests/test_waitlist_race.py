"""The waitlist's races on PostgreSQL, each with a control that shows what the guard prevents.

- Two cancellations of one slot offer it at once: the partial unique constraint
  on the held slot lets one offer through (control: without it, two patients
  hold the same slot).
- A claim races the lapse of the same offer: the compare-and-swaps on the entry
  let exactly one happen (control: plain writes let both happen).
- Two claims of one offer: one booking, one 409 (control: plain writes and no
  appointment constraints book the slot twice).

A hook between each check and its write (`_race_window`, pretix's "sleep after
check") holds the threads there until all have checked.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from clinic.appointments import holds, overlap
from clinic.appointments.models import Appointment, Status
from clinic.core.errors import Conflict
from clinic.testing import FIXED_NOW, make_doctor, make_patient
from clinic.waitlist import services
from clinic.waitlist.models import EntryStatus, WaitlistEntry

TUESDAY = dt.date(2030, 1, 8)
NINE_THIRTY = dt.time(9, 30)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


def run_together(*jobs) -> list:
    """Run each job in its own thread at once; their results (or exceptions), in order."""
    start = threading.Barrier(len(jobs), timeout=20)
    results = [None] * len(jobs)

    def run(i):
        try:
            start.wait()
            results[i] = jobs[i]()
        except Exception as exc:  # the outcome is what the test looks at
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def hold_at(monkeypatch, step: str, parties: int) -> threading.Barrier:
    """Every caller of _race_window(step) waits there until `parties` have arrived."""
    barrier = threading.Barrier(parties, timeout=20)

    def window(name):
        if name == step:
            barrier.wait()

    monkeypatch.setattr(services, "_race_window", window)
    return barrier


def without_the_doctor_lock(monkeypatch):
    # The lock would queue the threads before the window; the constraint must decide alone.
    monkeypatch.setattr(holds, "doctor_lock", lambda doctor_id: None)


def waiting(doctor, *names):
    return [
        services.waitlist_join(
            patient=make_patient(first_name=name), doctor=doctor, first_day=TUESDAY
        )
        for name in names
    ]


def offer():
    return services.waitlist_offer_slot(doctor_id=offer.doctor.pk, day=TUESDAY, start=NINE_THIRTY)


# --- Two cancellations offering one slot -------------------------------------------------------


def test_two_offers_of_one_slot_make_one_hold(clock, monkeypatch):
    """Both offer tasks pick a patient; the constraint lets one hold through."""
    offer.doctor = doctor = make_doctor(name="Dr. Offer")
    waiting(doctor, "Ann", "Ben")
    without_the_doctor_lock(monkeypatch)
    hold_at(monkeypatch, "offer", 2)
    results = run_together(offer, offer)
    assert sum(isinstance(r, WaitlistEntry) for r in results) == 1, results
    assert WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).count() == 1


def test_with_the_doctor_lock_the_second_offer_sees_the_first(clock):
    offer.doctor = doctor = make_doctor(name="Dr. Locked")
    waiting(doctor, "Ann", "Ben")
    results = run_together(offer, offer)
    assert sum(isinstance(r, WaitlistEntry) for r in results) == 1, results
    assert WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).count() == 1


def test_without_the_constraint_two_patients_hold_one_slot(clock, monkeypatch):
    """Control: drop the partial unique constraint and both offers go out."""
    offer.doctor = doctor = make_doctor(name="Dr. Control")
    waiting(doctor, "Ann", "Ben")
    without_the_doctor_lock(monkeypatch)
    hold_at(monkeypatch, "offer", 2)
    constraint = next(
        c for c in WaitlistEntry._meta.constraints if c.name == "waitlist_one_offer_per_slot"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(WaitlistEntry, constraint)
    try:
        results = run_together(offer, offer)
        held = WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).count()
    finally:
        WaitlistEntry.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(WaitlistEntry, constraint)
    assert sum(isinstance(r, WaitlistEntry) for r in results) == 2, results
    assert held == 2


# --- A claim racing a lapse -----------------------------------------------------------------------


def claim_against_lapse(clock, monkeypatch, *, then=None):
    """Alice's claim checks her offer while it is live; then the hold lapses and the
    release task checks it; then both write."""
    doctor = make_doctor(name="Dr. Lapse")
    alices, bobs = waiting(doctor, "Alice", "Bob")
    offer.doctor = doctor
    assert offer().pk == alices.pk
    if then:
        then()
    both = threading.Barrier(2, timeout=20)
    claim_checked = threading.Event()

    def window(name):
        if name == "claim":
            claim_checked.set()
            both.wait()
        elif name == "lapse":
            both.wait()

    monkeypatch.setattr(services, "_race_window", window)
    outcome = {}

    def claim():
        try:
            outcome["claim"] = services.waitlist_claim(patient=alices.patient, entry_id=alices.pk)
        except Conflict as exc:
            outcome["claim"] = exc
        finally:
            connections.close_all()

    def lapse():
        try:
            outcome["lapse"] = services.waitlist_release_lapsed()
        finally:
            connections.close_all()

    claimer = threading.Thread(target=claim)
    claimer.start()
    assert claim_checked.wait(20)
    clock.shift(dt.timedelta(minutes=16))  # the hold has lapsed for the release task
    lapser = threading.Thread(target=lapse)
    lapser.start()
    claimer.join(60)
    lapser.join(60)
    return outcome, alices, bobs


def test_a_claim_and_a_lapse_end_in_one_outcome(clock, monkeypatch):
    outcome, alices, bobs = claim_against_lapse(clock, monkeypatch)
    claimed = isinstance(outcome["claim"], Appointment)
    lapsed = outcome["lapse"] == 1
    assert claimed != lapsed, outcome
    alices.refresh_from_db()
    bobs.refresh_from_db()
    if claimed:
        assert alices.status == EntryStatus.BOOKED
        assert bobs.status == EntryStatus.WAITING
    else:
        assert alices.status == EntryStatus.EXPIRED
        assert bobs.status == EntryStatus.OFFERED
        assert not Appointment.objects.filter(status=Status.BOOKED).exists()


def test_without_the_compare_and_swap_both_happen(clock, monkeypatch):
    """Control: writes by id alone let the claim book and the lapse release the same offer."""

    def take(pk, now):
        return WaitlistEntry.objects.filter(pk=pk).update(status=EntryStatus.BOOKED) == 1

    def lapse(pk, now):
        return WaitlistEntry.objects.filter(pk=pk).update(status=EntryStatus.EXPIRED) == 1

    monkeypatch.setattr(services, "_take_offer", take)
    monkeypatch.setattr(services, "_lapse", lapse)

    def no_second_offer():
        # Else the lapse's offer to Bob may hold the slot before Alice's booking
        # (the hold check then refuses it: a second guard this control leaves out).
        monkeypatch.setattr(services, "waitlist_offer_slot", lambda **kwargs: None)

    outcome, alices, bobs = claim_against_lapse(clock, monkeypatch, then=no_second_offer)
    assert isinstance(outcome["claim"], Appointment), outcome
    assert outcome["lapse"] == 1


# --- Two claims ----------------------------------------------------------------------------------


def two_claims(monkeypatch):
    doctor = make_doctor(name="Dr. Claim")
    (alices,) = waiting(doctor, "Alice")
    offer.doctor = doctor
    assert offer().pk == alices.pk
    hold_at(monkeypatch, "claim", 2)

    def claim():
        return services.waitlist_claim(patient=alices.patient, entry_id=alices.pk)

    return run_together(claim, claim)


def test_two_claims_book_once(clock, monkeypatch):
    results = two_claims(monkeypatch)
    assert sum(isinstance(r, Appointment) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1


def test_without_the_guards_two_claims_book_twice(clock, monkeypatch):
    """Control: plain writes, no appointment constraints and no overlap guard give two
    bookings of one slot."""

    def take(pk, now):
        return WaitlistEntry.objects.filter(pk=pk).update(status=EntryStatus.BOOKED) == 1

    monkeypatch.setattr(services, "_take_offer", take)
    constraints = [
        c for c in Appointment._meta.constraints if c.name.startswith("appointment_one_active")
    ]
    with connection.schema_editor() as editor:
        overlap.uninstall(editor, Appointment)
        for constraint in constraints:
            editor.remove_constraint(Appointment, constraint)
    try:
        results = two_claims(monkeypatch)
        booked = Appointment.objects.filter(status=Status.BOOKED).count()
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            for constraint in constraints:
                editor.add_constraint(Appointment, constraint)
            overlap.install(editor, Appointment)
    assert sum(isinstance(r, Appointment) for r in results) == 2, results
    assert booked == 2
