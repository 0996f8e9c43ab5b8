import datetime as dt

import time_machine

from clinic.appointments.models import Appointment, VisitType
from clinic.appointments.services import appointment_book
from clinic.appointments.visit_types import visit_type_default
from clinic.core.errors import InvalidInput, NotFound, SlotUnavailable
from clinic.doctors.models import WeeklySchedule
from clinic.doctors.selectors import doctor_free_slots
from clinic.testing import FIXED_NOW, BaseTestCase, api_client, make_doctor

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


@time_machine.travel(FIXED_NOW, tick=False)
class VisitTypeBookingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.follow_up = VisitType.objects.create(name="Follow-up", minutes=15)
        cls.long = VisitType.objects.create(name="Extended consultation", minutes=45)
        # Tuesday 09:00-10:00 in 15-minute slots.
        cls.quarter = make_doctor(name="Dr. Quarter", schedule=False)
        WeeklySchedule.objects.create(
            doctor=cls.quarter, weekday=1, start=dt.time(9), end=dt.time(10), slot_minutes=15
        )

    def book(self, start, visit_type=None, patient=None, doctor=None):
        return appointment_book(
            patient=patient or self.alice,
            doctor=doctor or self.quarter,
            day=TUESDAY,
            start=start,
            visit_type=visit_type,
        )

    def test_a_booking_without_a_type_gets_the_default_and_its_length(self):
        appointment = self.book(dt.time(9, 15))
        default = VisitType.objects.get(is_default=True)
        self.assertEqual((appointment.visit_type_id, default.minutes), (default.pk, 30))
        self.assertEqual(appointment.end, dt.time(9, 45))
        self.assertEqual(appointment.slot_number, 2)

    def test_a_visit_takes_every_slot_it_covers(self):
        """A 30-minute visit at 09:15 in 15-minute slots leaves 09:00 free only for a
        visit that ends by 09:15."""
        self.book(dt.time(9, 15))
        self.assertEqual(
            doctor_free_slots(doctor=self.quarter, day=TUESDAY, minutes=15),
            [dt.time(9), dt.time(9, 45)],
        )
        self.assertEqual(doctor_free_slots(doctor=self.quarter, day=TUESDAY), [])
        with self.assertRaisesMessage(SlotUnavailable, "is not free any more"):
            self.book(dt.time(9, 30), patient=self.bob)
        with self.assertRaisesMessage(SlotUnavailable, "is not free any more"):
            self.book(dt.time(9), patient=self.bob)
        self.book(dt.time(9), visit_type=self.follow_up, patient=self.bob)
        self.assertEqual(Appointment.objects.count(), 2)

    def test_a_visit_must_end_within_its_session(self):
        with self.assertRaisesMessage(InvalidInput, "session ends at 10:00 AM"):
            self.book(dt.time(9, 30), visit_type=self.long)
        self.assertEqual(self.book(dt.time(9, 15), visit_type=self.long).end, dt.time(10))

    def test_an_inactive_or_unknown_type_is_refused(self):
        self.long.is_active = False
        self.long.save()
        with self.assertRaises(NotFound):
            self.book(dt.time(9), visit_type=self.long)
        self.assertFalse(Appointment.objects.exists())

    def test_the_default_comes_from_the_cache_and_follows_changes(self):
        self.assertEqual(visit_type_default().minutes, 30)
        VisitType.objects.filter(is_default=True).update(is_default=False)
        self.follow_up.is_default = True
        self.follow_up.save()  # the save forgets the cached types
        self.assertEqual(visit_type_default().pk, self.follow_up.pk)

    def test_slots_api_lists_only_starts_where_the_default_visit_fits(self):
        """09:45 is a slot, but a 30-minute visit there would end after 10:00."""
        client = api_client(self.alice.user)
        response = client.get("/cms-api/slots/", {"doctor_id": self.quarter.pk, "date": TUESDAY})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["slots"], ["09:00 AM", "09:15 AM", "09:30 AM"])
        response = client.post(
            "/cms-api/booking/",
            {"date": str(TUESDAY), "slot": "09:45 AM", "doc_id": self.quarter.pk},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("session ends", response.json()["ERR"])
