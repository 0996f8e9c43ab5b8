import datetime as dt

import time_machine

from clinic.appointments.services import appointment_book
from clinic.doctors.models import TimeOff, WeeklySchedule
from clinic.doctors.selectors import doctor_free_slots, doctor_free_slots_between
from clinic.testing import FIXED_NOW, BaseTestCase

MONDAY = FIXED_NOW.date()
TUESDAY = MONDAY + dt.timedelta(days=1)
SIX_SLOTS = [
    dt.time(9, 0),
    dt.time(9, 30),
    dt.time(10, 0),
    dt.time(10, 30),
    dt.time(11, 0),
    dt.time(11, 30),
]


@time_machine.travel(FIXED_NOW, tick=False)
class FreeSlotsTests(BaseTestCase):
    def test_the_default_week_has_the_originals_six_slots(self):
        self.assertEqual(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY), SIX_SLOTS)

    def test_sunday_has_none(self):
        self.assertEqual(
            doctor_free_slots(doctor=self.dr_rao, day=MONDAY + dt.timedelta(days=6)), []
        )

    def test_booked_slots_are_not_free(self):
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        self.assertNotIn(dt.time(10, 0), doctor_free_slots(doctor=self.dr_rao, day=TUESDAY))
        self.assertEqual(len(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY)), 5)

    def test_started_slots_of_today_are_not_free(self):
        with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(10, 5), FIXED_NOW.tzinfo)):
            self.assertEqual(
                doctor_free_slots(doctor=self.dr_rao, day=MONDAY),
                [dt.time(10, 30), dt.time(11, 0), dt.time(11, 30)],
            )

    def test_time_off_removes_whole_days(self):
        TimeOff.objects.create(
            doctor=self.dr_rao, start_date=TUESDAY, end_date=TUESDAY + dt.timedelta(days=1)
        )
        free = doctor_free_slots_between(
            doctor=self.dr_rao, first=MONDAY, last=MONDAY + dt.timedelta(days=6)
        )
        self.assertEqual(
            sorted(free),
            [
                MONDAY,
                MONDAY + dt.timedelta(days=3),
                MONDAY + dt.timedelta(days=4),
                MONDAY + dt.timedelta(days=5),
            ],
        )

    def test_two_sessions_a_day(self):
        WeeklySchedule.objects.create(
            doctor=self.dr_rao, weekday=1, start=dt.time(17, 0), end=dt.time(18, 0), slot_minutes=20
        )
        # A 20-minute visit fits each slot; the default 30-minute one not the last.
        free = doctor_free_slots(doctor=self.dr_rao, day=TUESDAY, minutes=20)
        self.assertEqual(free[-3:], [dt.time(17, 0), dt.time(17, 20), dt.time(17, 40)])
        free = doctor_free_slots(doctor=self.dr_rao, day=TUESDAY)
        self.assertEqual(free[-3:], [dt.time(11, 30), dt.time(17, 0), dt.time(17, 20)])

    def test_the_past_and_beyond_the_horizon_are_empty(self):
        self.assertEqual(
            doctor_free_slots(doctor=self.dr_rao, day=MONDAY - dt.timedelta(days=7)), []
        )
        self.assertEqual(
            doctor_free_slots(doctor=self.dr_rao, day=MONDAY + dt.timedelta(days=365)), []
        )

    def test_a_month_of_free_slots_costs_one_query_once_cached(self):
        """Visit types, sessions and time off come from the cache; bookings and holds never do."""
        month = {"first": MONDAY, "last": MONDAY + dt.timedelta(days=30)}
        with self.assertNumQueries(5):
            doctor_free_slots_between(doctor=self.dr_rao, **month)
        with self.assertNumQueries(2):  # bookings and waitlist holds
            doctor_free_slots_between(doctor=self.dr_rao, **month)
