import datetime as dt

import time_machine
from django.core import mail

from clinic.appointments.models import Appointment, AppointmentMove, Status
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from clinic.appointments.signals import slot_freed
from clinic.core.errors import Conflict, InvalidInput, NotFound, SlotUnavailable
from clinic.core.models import AuditEvent
from clinic.doctors.selectors import doctor_free_slots
from clinic.notifications.models import OutgoingMessage
from clinic.notifications.tests.base import NotifyTestCase
from clinic.testing import FIXED_NOW, BaseTestCase, make_doctor

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)
WEDNESDAY = TUESDAY + dt.timedelta(days=1)
NINE, NINE_THIRTY, TEN = dt.time(9, 0), dt.time(9, 30), dt.time(10, 0)


def state():
    """Everything a failed reschedule must leave as it was."""
    return (
        list(
            Appointment.objects.order_by("pk").values_list(
                "pk", "doctor_id", "date", "start", "slot_number", "status", "sequence"
            )
        ),
        AppointmentMove.objects.count(),
        AuditEvent.objects.count(),
    )


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentRescheduleTests(BaseTestCase):
    def setUp(self):
        self.appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=NINE_THIRTY
        )

    def move(self, day=WEDNESDAY, start=TEN, doctor=None, patient=None, appointment_id=None):
        return appointment_reschedule(
            patient=patient or self.alice,
            appointment_id=appointment_id or self.appointment.pk,
            doctor=doctor,
            day=day,
            start=start,
        )

    def test_it_moves_the_booking_in_place(self):
        """Same id, new slot and token number, one revision more; the old slot is free."""
        moved = self.move()
        self.assertEqual(moved.pk, self.appointment.pk)
        self.assertEqual((moved.date, moved.start, moved.slot_number), (WEDNESDAY, TEN, 3))
        self.assertEqual((moved.status, moved.sequence), (Status.BOOKED, 1))
        self.assertIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))
        self.assertNotIn(TEN, doctor_free_slots(doctor=self.dr_rao, day=WEDNESDAY))
        self.assertEqual(Appointment.objects.filter(patient=self.alice).count(), 1)
        move = AppointmentMove.objects.get()
        self.assertEqual((move.from_date, move.from_start), (TUESDAY, NINE_THIRTY))
        self.assertEqual((move.to_date, move.to_start), (WEDNESDAY, TEN))
        audit = AuditEvent.objects.get(action="appointment.rescheduled")
        self.assertEqual(audit.data["from_slot"], "09:30 AM")

    def test_it_moves_to_another_doctor(self):
        other = make_doctor(name="Dr. Other")
        moved = self.move(doctor=other, day=TUESDAY, start=NINE_THIRTY)
        self.assertEqual((moved.doctor_id, moved.start), (other.pk, NINE_THIRTY))
        self.assertIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))

    def test_the_freed_slot_is_announced_after_commit(self):
        heard = []

        def receiver(**kwargs):
            heard.append((kwargs["doctor_id"], kwargs["day"], kwargs["start"]))

        slot_freed.connect(receiver)
        self.addCleanup(slot_freed.disconnect, receiver)
        with self.captureOnCommitCallbacks(execute=True):
            self.move()
        self.assertEqual(heard, [(self.dr_rao.pk, TUESDAY, NINE_THIRTY)])

    def test_errors_change_nothing(self):
        """Every refusal leaves the booking exactly as it was, with no move recorded."""
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=WEDNESDAY, start=TEN)
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=WEDNESDAY, start=NINE)
        before = state()
        cases = [
            (SlotUnavailable, {"start": TEN}),  # bob's
            (Conflict, {"start": NINE}),  # alice's own other booking
            (Conflict, {"day": TUESDAY, "start": NINE_THIRTY}),  # where it already is
            (InvalidInput, {"start": dt.time(9, 10)}),  # not a slot
            (InvalidInput, {"day": FIXED_NOW.date() - dt.timedelta(days=1)}),
            (InvalidInput, {"day": FIXED_NOW.date() + dt.timedelta(days=400)}),
            (NotFound, {"appointment_id": 987654}),
            (NotFound, {"patient": self.bob}),  # not bob's
        ]
        for error, kwargs in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(error):
                self.move(**kwargs)
        self.assertEqual(state(), before)

    def test_a_cancelled_booking_cannot_be_moved(self):
        appointment_cancel(patient=self.alice, ids=[self.appointment.pk])
        before = state()
        with self.assertRaises(NotFound):
            self.move()
        self.assertEqual(state(), before)

    def test_the_booking_limit_does_not_stop_a_move(self):
        """A move holds one appointment before and after: MAX_ACTIVE_BOOKINGS is no obstacle."""
        with self.settings(MAX_ACTIVE_BOOKINGS=1):
            self.assertEqual(self.move().start, TEN)


class RescheduleMessageTests(NotifyTestCase):
    def test_the_patient_gets_one_moved_message(self):
        """One email and one SMS "moved from X to Y"; no cancellation, no new confirmation."""
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=NINE_THIRTY
        )
        with self.captureOnCommitCallbacks(execute=True):
            appointment_reschedule(
                patient=self.alice, appointment_id=appointment.pk, day=WEDNESDAY, start=TEN
            )
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertIn("moved", email.subject)
        self.assertIn("Wed 9 Jan, 10:00 AM", email.subject)
        self.assertIn("from Tuesday, 8 January 2030 at 09:30 AM", email.body)
        self.assertIn("to   Wednesday, 9 January 2030 at 10:00 AM", email.body)
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertIn(
            "moved from Tue 8 Jan 09:30 AM to Wed 9 Jan 10:00 AM", self.sms_outbox[0].body
        )
        self.assertEqual(
            sorted(OutgoingMessage.objects.values_list("template", flat=True)),
            ["appointment_rescheduled", "appointment_rescheduled"],
        )

    def test_a_move_superseded_before_sending_is_skipped(self):
        """Only the latest move is told: an older message would name a time that no longer holds."""
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=NINE_THIRTY
        )
        appointment_reschedule(
            patient=self.alice, appointment_id=appointment.pk, day=WEDNESDAY, start=TEN
        )
        first = AppointmentMove.objects.get()
        appointment_reschedule(
            patient=self.alice, appointment_id=appointment.pk, day=WEDNESDAY, start=NINE
        )
        from clinic.notifications import messages

        self.assertIsNone(
            messages.render(
                template="appointment_rescheduled", channel="sms", context={"move_id": first.pk}
            )
        )
