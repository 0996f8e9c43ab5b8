import datetime as dt

import time_machine
from django.db import IntegrityError

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book
from clinic.core.errors import Conflict, InvalidInput, NotFound, SlotUnavailable
from clinic.core.models import AuditEvent
from clinic.doctors.models import TimeOff
from clinic.doctors.selectors import doctor_free_slots
from clinic.testing import FIXED_NOW, BaseTestCase, make_doctor

MONDAY = FIXED_NOW.date()
TUESDAY = MONDAY + dt.timedelta(days=1)
SUNDAY = MONDAY + dt.timedelta(days=6)
NINE_THIRTY = dt.time(9, 30)


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentBookTests(BaseTestCase):
    def book(self, patient=None, day=TUESDAY, start=NINE_THIRTY, doctor=None):
        return appointment_book(
            patient=patient or self.alice, doctor=doctor or self.dr_rao, day=day, start=start
        )

    def test_it_books_a_free_slot(self):
        """A free slot becomes the patient's booked appointment with its token number."""
        appointment = self.book()
        self.assertEqual(appointment.status, Status.BOOKED)
        self.assertEqual(appointment.slot_number, 2)
        self.assertIs(AuditEvent.objects.filter(action="appointment.booked").exists(), True)
        self.assertNotIn(NINE_THIRTY, doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))

    def test_it_refuses_a_taken_slot(self):
        """A second patient gets SlotUnavailable and no row is written."""
        self.book()
        with self.assertRaisesMessage(SlotUnavailable, "is not free any more"):
            self.book(patient=self.bob)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_it_refuses_a_patient_in_two_places(self):
        """The same patient cannot hold two appointments at one time, even with two doctors."""
        self.book()
        other = make_doctor(name="Dr. Other")
        with self.assertRaisesMessage(Conflict, "You already have an appointment"):
            self.book(doctor=other)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_the_constraint_decides_when_the_check_is_skipped(self):
        """Even past the free-slot check, the database refuses a double booking."""
        self.book()
        with self.assertRaises(IntegrityError):
            Appointment.objects.create(
                patient=self.bob, doctor=self.dr_rao, date=TUESDAY, start=NINE_THIRTY, slot_number=2
            )

    def test_a_cancelled_slot_can_be_booked_again(self):
        first = self.book()
        Appointment.objects.filter(pk=first.pk).update(status=Status.CANCELLED)
        self.assertEqual(self.book(patient=self.bob).patient, self.bob)

    def test_it_refuses_past_dates_and_started_slots(self):
        with self.assertRaisesMessage(InvalidInput, "past"):
            self.book(day=MONDAY - dt.timedelta(days=1))
        with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(9, 45), FIXED_NOW.tzinfo)):
            with self.assertRaisesMessage(InvalidInput, "already started"):
                self.book(day=MONDAY, start=NINE_THIRTY)

    def test_it_refuses_times_off_the_schedule(self):
        with self.assertRaisesMessage(InvalidInput, "not one of the doctor's slots"):
            self.book(start=dt.time(9, 15))
        with self.assertRaisesMessage(InvalidInput, "not one of the doctor's slots"):
            self.book(day=SUNDAY)

    def test_it_refuses_days_off(self):
        TimeOff.objects.create(doctor=self.dr_rao, start_date=TUESDAY, end_date=TUESDAY)
        with self.assertRaisesMessage(InvalidInput, "not one of the doctor's slots"):
            self.book()

    def test_it_refuses_beyond_the_horizon(self):
        with self.assertRaisesMessage(InvalidInput, "ahead at most"):
            self.book(day=MONDAY + dt.timedelta(days=400))

    def test_it_refuses_an_inactive_doctor(self):
        self.dr_rao.is_active = False
        self.dr_rao.save()
        with self.assertRaises(NotFound):
            self.book()
