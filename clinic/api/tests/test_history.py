import datetime as dt

import time_machine

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.testing import FIXED_NOW, api_client, make_doctor

URL = "/cms-api/history/"


class HistoryTests(ApiTestCase):
    def test_it_lists_past_and_cancelled_appointments_newest_first(self):
        """Past bookings show "--------", cancelled ones "Canceled"; upcoming ones are absent."""
        past = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        cancelled = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0)
        )
        appointment_cancel(patient=self.alice, ids=[cancelled.pk])
        upcoming = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY + dt.timedelta(days=7),
            start=dt.time(9, 0),
        )
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2), tick=False):
            response = self.call("GET", URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            [
                {
                    "id": cancelled.pk,
                    "book_no": "5",
                    "patient_name": "Alice Adams",
                    "doctor_name": "Dr. Asha Rao",
                    "patient_id": str(self.alice.user_id),
                    "doctor_id": str(self.dr_rao.pk),
                    "book_date": "2030-01-08",
                    "book_slot": "11:00 AM",
                    "reason": "Canceled",
                },
                {
                    "id": past.pk,
                    "book_no": "2",
                    "patient_name": "Alice Adams",
                    "doctor_name": "Dr. Asha Rao",
                    "patient_id": str(self.alice.user_id),
                    "doctor_id": str(self.dr_rao.pk),
                    "book_date": "2030-01-08",
                    "book_slot": "09:30 AM",
                    "reason": "--------",
                },
            ],
        )
        self.assertNotIn(upcoming.pk, [row["id"] for row in response.json()])

    def test_its_query_count_is_constant(self):
        """Appointments: 1 query for N and 3N past appointments (the token with user and
        patient comes from the cache)."""
        client = api_client(self.alice.user)
        client.get(URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        doctors = [make_doctor() for _ in range(6)]
        for rows in (2, 6):
            Appointment.objects.all().delete()
            for i in range(rows):
                appointment_book(
                    patient=self.alice, doctor=doctors[i], day=TUESDAY + dt.timedelta(days=i % 4),
                    start=dt.time(9, 30 * (i // 4)),
                )
            Appointment.objects.update(status=Status.CANCELLED)
            with self.subTest(rows=rows), self.assertNumQueries(1):
                response = client.get(URL)
            self.assertEqual(len(response.json()), rows)

    def test_errors(self):
        self.assertError(self.call("GET", URL), 401)
        self.assertError(self.call("GET", URL, user=self.staff), 403)
        self.assertError(self.call("POST", URL, {}, user=self.alice.user), 405)
        self.assertError(self.call("GET", URL, raw="{bad", user=self.alice.user), 400)
