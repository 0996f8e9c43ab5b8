import datetime as dt

from django.core import mail
from django.test import override_settings

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel_by_clinic,
    appointment_reschedule,
)
from clinic.core.errors import Conflict, NotFound, SlotUnavailable
from clinic.doctors.selectors import doctor_free_slots
from clinic.testing import FIXED_NOW, make_doctor
from clinic.waitlist.models import EntryStatus, WaitlistEntry
from clinic.waitlist.services import (
    waitlist_claim,
    waitlist_join,
    waitlist_leave,
    waitlist_offer_slot,
    waitlist_release_lapsed,
)
from clinic.waitlist.tests.base import NINE_THIRTY, TUESDAY, WEDNESDAY, WaitlistTestCase

HOLD = dt.timedelta(minutes=15)


class OfferTests(WaitlistTestCase):
    def join(self, patient, first=TUESDAY, last=None, doctor=None):
        return waitlist_join(
            patient=patient, doctor=doctor or self.dr_rao, first_day=first, last_day=last
        )

    def test_a_cancelled_slot_goes_to_the_first_in_line(self):
        """The first-joined entry covering the day gets the offer, by email and SMS."""
        first = self.join(self.alice, first=TUESDAY, last=WEDNESDAY)
        second = self.join(self.bob)
        mail.outbox.clear()
        self.sms_outbox.clear()
        self.free_carols_slot()
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual(first.status, EntryStatus.OFFERED)
        self.assertEqual((first.offer_date, first.offer_start), (TUESDAY, NINE_THIRTY))
        self.assertEqual(first.offer_expires_at, FIXED_NOW + HOLD)
        self.assertEqual(second.status, EntryStatus.WAITING)
        offers = [m for m in mail.outbox if m.to == [self.alice.user.email]]
        self.assertEqual(len(offers), 1)
        self.assertIn("A slot is free for you", offers[0].subject)
        self.assertIn("08:15 AM", offers[0].body)  # held until
        self.assertRegex(offers[0].body, r"Claim it in the patient portal: http://\S+/")
        sms = [s for s in self.sms_outbox if s.to == "+919876543210"]
        self.assertEqual(len(sms), 1)
        self.assertIn("held for you until 08:15 AM", sms[0].body)

    def test_the_held_slot_is_nobody_elses(self):
        """Missing from the free slots; bob's booking is refused; alice's claim books it."""
        entry = self.join(self.alice)
        self.free_carols_slot()
        self.assertNotIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))
        with self.assertRaisesMessage(SlotUnavailable, "held for a patient on the waiting list"):
            appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=NINE_THIRTY)
        appointment = waitlist_claim(patient=self.alice, entry_id=entry.pk)
        self.assertEqual((appointment.patient, appointment.start), (self.alice, NINE_THIRTY))
        entry.refresh_from_db()
        self.assertEqual((entry.status, entry.appointment), (EntryStatus.BOOKED, appointment))
        with self.assertRaisesMessage(Conflict, "no live offer"):
            waitlist_claim(patient=self.alice, entry_id=entry.pk)

    def test_a_patient_busy_then_is_passed_over(self):
        appointment_book(
            patient=self.alice,
            doctor=make_doctor(name="Dr. Busy"),
            day=TUESDAY,
            start=NINE_THIRTY,
        )
        alices = self.join(self.alice)
        bobs = self.join(self.bob)
        self.free_carols_slot()
        alices.refresh_from_db()
        bobs.refresh_from_db()
        self.assertEqual((alices.status, bobs.status), (EntryStatus.WAITING, EntryStatus.OFFERED))

    def test_entries_for_other_dates_or_doctors_are_not_offered(self):
        other_day = self.join(self.alice, first=WEDNESDAY)
        other_doctor = self.join(self.bob, doctor=make_doctor(name="Dr. Else"))
        self.free_carols_slot()
        self.assertEqual(
            set(WaitlistEntry.objects.values_list("status", flat=True)), {EntryStatus.WAITING}
        )
        self.assertIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))
        del other_day, other_doctor

    def test_a_lapse_passes_the_slot_to_the_next_then_to_everyone(self):
        """Unclaimed holds lapse (even with no request) to the next in line, then to all."""
        alices = self.join(self.alice)
        bobs = self.join(self.bob)
        self.free_carols_slot()
        self.travel(HOLD.total_seconds())
        # Lapsed but not yet released: the slot no longer holds for alice.
        with self.assertRaisesMessage(Conflict, "no live offer"):
            waitlist_claim(patient=self.alice, entry_id=alices.pk)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(waitlist_release_lapsed(), 1)
        alices.refresh_from_db()
        bobs.refresh_from_db()
        self.assertEqual((alices.status, bobs.status), (EntryStatus.EXPIRED, EntryStatus.OFFERED))
        self.assertNotIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))
        self.travel(HOLD.total_seconds())
        self.assertEqual(waitlist_release_lapsed(), 1)
        bobs.refresh_from_db()
        self.assertEqual(bobs.status, EntryStatus.EXPIRED)
        self.assertIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))

    def test_the_release_command_runs_the_same(self):
        from io import StringIO

        from django.core.management import call_command

        self.join(self.alice)
        self.free_carols_slot()
        self.travel(HOLD.total_seconds() + 1)
        out = StringIO()
        call_command("waitlist_release", stdout=out)
        self.assertIn("Released 1", out.getvalue())
        self.assertEqual(WaitlistEntry.objects.get().status, EntryStatus.EXPIRED)

    def test_leaving_with_a_live_offer_passes_it_on(self):
        alices = self.join(self.alice)
        bobs = self.join(self.bob)
        self.free_carols_slot()
        with self.captureOnCommitCallbacks(execute=True):
            waitlist_leave(patient=self.alice, ids=[alices.pk])
        alices.refresh_from_db()
        bobs.refresh_from_db()
        self.assertEqual((alices.status, bobs.status), (EntryStatus.CANCELLED, EntryStatus.OFFERED))

    def test_a_reschedule_away_and_a_clinic_cancellation_free_slots_too(self):
        alices = self.join(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            appointment_reschedule(
                patient=self.carol,
                appointment_id=self.carols.pk,
                day=WEDNESDAY,
                start=NINE_THIRTY,
            )
        alices.refresh_from_db()
        self.assertEqual(alices.offer_date, TUESDAY)
        bobs = self.join(self.bob, first=WEDNESDAY)
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel_by_clinic(appointments=[self.carols], actor=self.staff)
        bobs.refresh_from_db()
        self.assertEqual((bobs.status, bobs.offer_date), (EntryStatus.OFFERED, WEDNESDAY))

    def test_the_hold_ends_when_the_slot_starts(self):
        """A slot starting in 10 minutes is held for 10 minutes, not 15."""
        self.travel((dt.timedelta(days=1, hours=1, minutes=20)).total_seconds())  # Tue 09:20
        entry = self.join(self.alice)
        self.free_carols_slot()
        entry.refresh_from_db()
        self.assertEqual(
            entry.offer_expires_at, FIXED_NOW + dt.timedelta(days=1, hours=1, minutes=30)
        )

    @override_settings(WAITLIST_HOLD_MINUTES=5)
    def test_the_hold_length_is_a_setting(self):
        entry = self.join(self.alice)
        self.free_carols_slot()
        entry.refresh_from_db()
        self.assertEqual(entry.offer_expires_at, FIXED_NOW + dt.timedelta(minutes=5))

    def test_an_offer_of_a_booked_or_offered_slot_does_nothing(self):
        self.join(self.alice)
        self.join(self.bob)
        self.assertIsNone(
            waitlist_offer_slot(doctor_id=self.dr_rao.pk, day=TUESDAY, start=NINE_THIRTY)
        )  # carol's
        self.free_carols_slot()
        self.assertIsNone(
            waitlist_offer_slot(doctor_id=self.dr_rao.pk, day=TUESDAY, start=NINE_THIRTY)
        )  # already alice's
        self.assertEqual(WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).count(), 1)

    def test_entries_whose_dates_passed_expire(self):
        entry = self.join(self.alice)
        self.travel(dt.timedelta(days=2).total_seconds())
        waitlist_release_lapsed()
        entry.refresh_from_db()
        self.assertEqual(entry.status, EntryStatus.EXPIRED)

    def test_claims_are_the_patients_own(self):
        entry = self.join(self.alice)
        self.free_carols_slot()
        with self.assertRaises(NotFound):
            waitlist_claim(patient=self.bob, entry_id=entry.pk)
        self.assertEqual(Appointment.objects.filter(status=Status.BOOKED).count(), 0)
