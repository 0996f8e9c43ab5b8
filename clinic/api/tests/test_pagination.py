"""limit and offset on every list endpoint, with the whole count in X-Total-Count."""

import datetime as dt

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book
from clinic.labs.models import LabReport
from clinic.records.models import Consultation
from clinic.testing import api_client, make_doctor, make_patient

TIMES = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 30), dt.time(11, 0)]


class PaginationTests(ApiTestCase):
    def make_rows(self, count: int, patient=None) -> None:
        """`count` rows in each of the caller's lists: upcoming, history, reports, visits."""
        patient = patient or self.alice
        doctor = make_doctor(name="Dr. Pages")
        for i in range(count):
            day = TUESDAY + dt.timedelta(days=7 * (i // len(TIMES)))
            appointment_book(
                patient=patient, doctor=doctor, day=day, start=TIMES[i % len(TIMES)]
            )
            past = Appointment.objects.create(
                patient=patient,
                doctor=doctor,
                date=dt.date(2029, 1, 1) + dt.timedelta(i),
                start=dt.time(9, 0),
                slot_number=1,
                status=Status.COMPLETED,
            )
            LabReport.objects.create(
                patient=patient, doctor=doctor, test=f"Test {i}", date=past.date
            )
            Consultation.objects.create(
                patient=patient,
                doctor=doctor,
                appointment=past,
                date=past.date,
                purpose=f"Visit {i}",
            )

    def get(self, path, **params):
        return api_client(self.alice.user).get(path, params)

    def test_every_list_pages_with_the_whole_count(self):
        """A page is a slice of the full list in the same order; X-Total-Count is its length."""
        self.make_rows(7)
        for name in ("booking", "history", "reports", "consultations"):
            path = f"/cms-api/{name}/"
            with self.subTest(path=path):
                full = self.get(path)
                self.assertEqual(full.status_code, 200, full.content)
                self.assertEqual(len(full.json()), 7)
                self.assertEqual(full["X-Total-Count"], "7")
                page = self.get(path, limit=3, offset=2)
                self.assertEqual(page.status_code, 200)
                self.assertEqual(page["X-Total-Count"], "7")
                self.assertEqual(page.json(), full.json()[2:5])
                self.assertEqual(self.get(path, limit=3).json(), full.json()[:3])
                self.assertEqual(self.get(path, offset=5).json(), full.json()[5:])
                beyond = self.get(path, limit=3, offset=50)
                self.assertEqual((beyond.json(), beyond["X-Total-Count"]), ([], "7"))

    def test_bad_limits_are_a_400(self):
        for name in ("booking", "history", "reports", "consultations"):
            for params in (
                {"limit": 101},
                {"limit": 0},
                {"limit": "x"},
                {"offset": -1},
                {"limit": "1.5"},
            ):
                with self.subTest(name=name, params=params):
                    response = self.get(f"/cms-api/{name}/", **params)
                    self.assertError(response, 400, next(iter(params)))

    def test_limit_100_is_allowed(self):
        self.make_rows(2)
        response = self.get("/cms-api/history/", limit=100)
        self.assertEqual((len(response.json()), response["X-Total-Count"]), (2, "2"))

    def test_a_page_costs_one_count_more_whatever_the_size(self):
        """Token, count and rows: 3 queries for a page of the history with 2 or 8 rows behind it."""
        for rows in (2, 8):
            # A new patient each time: clinical records are never deleted.
            patient = make_patient()
            client = api_client(patient.user)
            self.make_rows(rows, patient=patient)
            with self.subTest(rows=rows), self.assertNumQueries(3):
                response = client.get("/cms-api/history/", {"limit": 5})
            self.assertEqual(response["X-Total-Count"], str(rows))
