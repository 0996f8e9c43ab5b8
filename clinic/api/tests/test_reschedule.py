import datetime as dt

from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.appointments.models import Appointment, AppointmentMove, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.testing import make_doctor

URL = "/cms-api/reschedule/"


class RescheduleApiTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.booking = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )

    def move(self, body, user=None):
        return self.call("POST", URL, body, user=user or self.alice.user)

    def body(self, **changes):
        return {
            "booking-id": self.booking.pk,
            "date": str(WEDNESDAY),
            "slot": "10:00 AM",
            **changes,
        }

    def test_it_moves_a_booking(self):
        response = self.move(self.body())
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            response.json(),
            {
                "MSG": " Appointment Rescheduled",
                "data": {
                    "Booking_id": self.booking.pk,
                    "patient": {
                        "id": self.alice.user_id,
                        "name": "Alice Adams",
                        "username": "alice",
                        "gender": "Female",
                    },
                    "doctor": {
                        "doctor_id": self.dr_rao.pk,
                        "name": "Dr. Asha Rao",
                        "gender": "Male",
                        "domain": "Cardiology",
                        "ofiice_number": "101",
                    },
                    "booking_date": str(WEDNESDAY),
                    "time_slot": "10:00 AM",
                },
            },
        )
        active = self.call("GET", "/cms-api/booking/", user=self.alice.user).json()
        self.assertEqual(
            [(b["booking_date"], b["time_slot"]) for b in active], [(str(WEDNESDAY), "10:00 AM")]
        )
        slots = self.call(
            "GET",
            f"/cms-api/slots/?doctor_id={self.dr_rao.pk}&date={TUESDAY}",
            user=self.alice.user,
        ).json()["slots"]
        self.assertIn("09:30 AM", slots)

    def test_it_moves_to_another_doctor_with_doc_id(self):
        other = make_doctor(name="Dr. Else")
        response = self.move(self.body(doc_id=other.pk))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["data"]["doctor"]["doctor_id"], other.pk)

    def test_errors_keep_the_old_booking(self):
        """400, 404 and 409 answers leave every appointment as it was."""
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=WEDNESDAY, start=dt.time(10, 0))
        bobs = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=WEDNESDAY, start=dt.time(11, 0)
        )
        before = self.snapshot()
        cases = [
            (409, "not free any more", self.body()),
            (409, "already", self.body(date=str(TUESDAY), slot="09:30 AM")),
            (404, str(bobs.pk), self.body(**{"booking-id": bobs.pk})),
            (404, "987654", self.body(**{"booking-id": 987654})),
            (404, "doctor", self.body(doc_id=987654)),
            (400, "slot", self.body(slot="09:10 AM")),
            (400, "slot", self.body(slot="25:00")),
            (400, "date", self.body(date="2020-01-01")),
            (400, "date", self.body(date="tomorrow")),
            (400, "booking-id", {"date": str(WEDNESDAY), "slot": "10:00 AM"}),
            (400, "booking-id", self.body(**{"booking-id": "x"})),
            (400, "slot", {"booking-id": self.booking.pk, "date": str(WEDNESDAY)}),
        ]
        for status, fragment, body in cases:
            with self.subTest(body=body):
                self.assertError(self.move(body), status, fragment)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(AppointmentMove.objects.count(), 0)

    def test_a_cancelled_booking_is_a_404(self):
        appointment_cancel(patient=self.alice, ids=[self.booking.pk])
        self.assertError(self.move(self.body()), 404)
        self.assertEqual(Appointment.objects.get().status, Status.CANCELLED)

    def test_it_needs_a_token(self):
        self.assertError(self.call("POST", URL, self.body()), 401)

    def test_get_is_a_405(self):
        self.assertError(self.call("GET", URL, user=self.alice.user), 405)


class RescheduleIdempotencyTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.booking = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )

    body = RescheduleApiTests.body

    def test_a_retry_with_the_key_replays_the_move(self):
        """Same key and body: the first answer again, one move; another body: 409."""
        key = {"HTTP_IDEMPOTENCY_KEY": "move-1"}
        first = self.call("POST", URL, self.body(), user=self.alice.user, **key)
        self.assertEqual(first.status_code, 200, first.content)
        again = self.call("POST", URL, self.body(), user=self.alice.user, **key)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertEqual(AppointmentMove.objects.filter(appointment=self.booking).count(), 1)
        other = self.call("POST", URL, self.body(slot="11:00 AM"), user=self.alice.user, **key)
        self.assertEqual(other.status_code, 409)
        self.booking.refresh_from_db()
        self.assertEqual(self.booking.start, dt.time(10, 0))
