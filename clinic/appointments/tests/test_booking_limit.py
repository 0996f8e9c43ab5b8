import datetime as dt

import time_machine
from django.test import override_settings

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core.errors import Conflict
from clinic.testing import FIXED_NOW, BaseTestCase

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)
TIMES = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 30)]


@time_machine.travel(FIXED_NOW, tick=False)
@override_settings(MAX_ACTIVE_BOOKINGS=3)
class BookingLimitTests(BaseTestCase):
    def book(self, start, day=TUESDAY, patient=None):
        return appointment_book(
            patient=patient or self.alice, doctor=self.dr_rao, day=day, start=start
        )

    def test_one_more_than_the_limit_is_a_conflict(self):
        """A patient with MAX_ACTIVE_BOOKINGS upcoming appointments cannot book another."""
        for start in TIMES[:3]:
            self.book(start)
        with self.assertRaisesMessage(Conflict, "3 upcoming appointments"):
            self.book(TIMES[3])
        self.assertEqual(Appointment.objects.filter(patient=self.alice).count(), 3)

    def test_cancelled_and_past_appointments_do_not_count(self):
        """Only upcoming booked appointments count against the limit."""
        first = self.book(TIMES[0])
        self.book(TIMES[1])
        self.book(TIMES[2])
        appointment_cancel(patient=self.alice, ids=[first.pk])
        self.book(TIMES[3])  # the cancelled one freed a place
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=1, hours=2), tick=False):
            # 10:00 on Tuesday: 09:30 has started, so it is no longer upcoming.
            self.book(dt.time(11, 0))
        self.assertEqual(
            Appointment.objects.filter(patient=self.alice, status=Status.BOOKED).count(), 4
        )

    def test_the_limit_is_per_patient(self):
        for start in TIMES[:3]:
            self.book(start)
        self.book(TIMES[3], patient=self.bob)
