"""The list endpoints' hand-built rows are, byte for byte, what their serializers give.

Those views build their rows from `.values()` for speed (clinic/api/rows.py) and keep
their OutputSerializers as the documented schema. Each test renders the serializer over
the same objects and compares the bytes (keys, key order, value types, formats), so the
schema and the answers cannot drift apart.
"""

import datetime as dt

import time_machine
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.api.views.booking import BookingOutputSerializer
from clinic.api.views.history import HistoryApi
from clinic.appointments.models import Appointment, Status
from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.doctors.models import Doctor, WeeklySchedule
from clinic.testing import FIXED_NOW, make_doctor


def doctor(name, **changes):
    """A doctor (make_doctor's defaults) with some fields changed."""
    made = make_doctor(name=name)
    Doctor.objects.filter(pk=made.pk).update(**changes)
    made.refresh_from_db()
    return made


class RowsTestCase(ApiTestCase):
    def assertSameAsSerializer(self, url, serializer_class, objects, *, user, rows):
        """GET `url` gives `rows` rows, exactly as `serializer_class` renders `objects`."""
        response = self.call("GET", url, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        request = RequestFactory().get(url)
        request.user = user
        expected = serializer_class(objects, many=True, context={"request": request}).data
        self.assertEqual(len(expected), rows)
        self.assertEqual(response.content.decode(), JSONRenderer().render(expected).decode())
        return response.json()


class BookingRowsTests(RowsTestCase):
    def test_active_bookings_match_the_serializer(self):
        other = doctor(
            "Dr. Bala Iyer", gender="Female", specialty="Dermatology", office_number="7B"
        )
        WeeklySchedule.objects.create(  # an afternoon session, for a PM slot
            doctor=other, weekday=TUESDAY.weekday(), start=dt.time(14, 0), end=dt.time(16, 0)
        )
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        appointment_book(patient=self.alice, doctor=other, day=TUESDAY, start=dt.time(14, 30))
        late = appointment_book(
            patient=self.alice, doctor=other, day=TUESDAY + dt.timedelta(days=7),
            start=dt.time(11, 0),
        )
        cancelled = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0)
        )
        appointment_cancel(patient=self.alice, ids=[cancelled.pk])
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        rows = self.assertSameAsSerializer(
            "/cms-api/booking/", BookingOutputSerializer,
            appointment_upcoming_for(patient=self.alice), user=self.alice.user, rows=3,
        )
        self.assertEqual(rows[2]["Booking_id"], late.pk)
        self.assertEqual(rows[1]["time_slot"], "02:30 PM")


class HistoryRowsTests(RowsTestCase):
    def test_past_and_cancelled_entries_match_the_serializer(self):
        """Kept, completed, no-show and cancelled entries, across two doctors."""
        other = doctor("Dr. Bala Iyer")
        booked = [
            appointment_book(patient=self.alice, doctor=doctor, day=TUESDAY, start=start)
            for doctor, start in [
                (self.dr_rao, dt.time(9, 0)), (self.dr_rao, dt.time(9, 30)),
                (other, dt.time(10, 0)), (other, dt.time(11, 30)),
            ]
        ]
        Appointment.objects.filter(pk=booked[1].pk).update(status=Status.COMPLETED)
        Appointment.objects.filter(pk=booked[2].pk).update(status=Status.NO_SHOW)
        appointment_cancel(patient=self.alice, ids=[booked[3].pk])
        appointment_book(
            patient=self.alice, doctor=other, day=TUESDAY + dt.timedelta(days=7),
            start=dt.time(9, 0),
        )
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2), tick=False):
            rows = self.assertSameAsSerializer(
                "/cms-api/history/", HistoryApi.OutputSerializer,
                appointment_history_for(patient=self.alice), user=self.alice.user, rows=4,
            )
        self.assertEqual(
            [row["reason"] for row in rows], ["Canceled", "--------", "--------", "--------"]
        )


