import datetime as dt

from clinic.api.tests.base import ApiTestCase
from clinic.doctors.models import Doctor, TimeOff
from clinic.testing import api_client, make_doctor

URL = "/cms-api/doctor/"


class DoctorTests(ApiTestCase):
    def test_it_lists_doctors_in_the_seed_shape(self):
        make_doctor(name="Dr. Inactive", is_active=False)
        response = self.call("GET", URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            [
                {
                    "id": self.dr_rao.pk,
                    "name": "Dr. Asha Rao",
                    "age": "54",  # born 1975-03-01, now 2030-01-07
                    "gender": "Male",
                    "experience": "15",
                    "domain": "Cardiology",
                    "office_number": "101",
                    "profile_pic": None,
                }
            ],
        )

    def test_doctor_id_gives_a_one_element_list(self):
        other = make_doctor(name="Dr. Bala")
        for response in (
            self.call("GET", URL, {"doctor_id": other.pk}, user=self.alice.user),
            self.call("GET", f"{URL}?doctor_id={other.pk}", user=self.alice.user),
        ):
            self.assertEqual([d["id"] for d in response.json()], [other.pk])

    def test_an_unknown_doctor_is_404(self):
        inactive = make_doctor(name="Dr. Gone", is_active=False)
        for doctor_id in (999999, inactive.pk):
            with self.subTest(doctor_id=doctor_id):
                response = self.call("GET", f"{URL}?doctor_id={doctor_id}", user=self.alice.user)
                self.assertError(response, 404, str(doctor_id))

    def test_a_bad_doctor_id_is_400(self):
        for value in ("abc", "1.5", "-3", "0"):
            with self.subTest(value=value):
                response = self.call("GET", f"{URL}?doctor_id={value}", user=self.alice.user)
                self.assertError(response, 400, "doctor_id")
        self.assertError(self.call("GET", URL, {"doctor_id": [1]}, user=self.alice.user), 400,
                         "doctor_id")

    def test_staff_may_list_doctors_and_anonymous_may_not(self):
        self.assertEqual(self.call("GET", URL, user=self.staff).status_code, 200)
        self.assertError(self.call("GET", URL), 401)
        self.assertError(self.call("POST", URL, {}, user=self.alice.user), 405)

    def test_its_query_count_is_constant(self):
        """Doctors: 1 query for N and 3N doctors, none once they are cached (the token
        comes from the cache too)."""
        client = api_client(self.alice.user)
        client.get(URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        for total in (3, 9):
            while Doctor.objects.count() < total:
                make_doctor(schedule=False)
            with self.subTest(doctors=total), self.assertNumQueries(1):
                response = client.get(URL)
            self.assertEqual(len(response.json()), total)
            with self.subTest(doctors=total, cached=True), self.assertNumQueries(0):
                self.assertEqual(client.get(URL).json(), response.json())


class SlotsTests(ApiTestCase):
    URL = "/cms-api/slots/"

    def test_it_lists_free_slots(self):
        from clinic.appointments.services import appointment_book

        appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=dt.date(2030, 1, 8), start=dt.time(10, 0)
        )
        response = self.call(
            "GET", f"{self.URL}?doctor_id={self.dr_rao.pk}&date=2030-1-8", user=self.alice.user
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "doctor_id": self.dr_rao.pk,
                "date": "2030-01-08",
                "slots": ["09:00 AM", "09:30 AM", "10:30 AM", "11:00 AM", "11:30 AM"],
            },
        )

    def test_a_day_off_or_a_past_day_has_no_slots(self):
        TimeOff.objects.create(
            doctor=self.dr_rao, start_date=dt.date(2030, 1, 8), end_date=dt.date(2030, 1, 8)
        )
        for day in ("2030-01-08", "2030-01-06", "2030-01-13"):
            with self.subTest(day=day):
                body = {"doctor_id": self.dr_rao.pk, "date": day}
                response = self.call("GET", self.URL, body, user=self.alice.user)
                self.assertEqual(response.json()["slots"], [])

    def test_it_rejects_bad_input(self):
        cases = [
            ({"date": "2030-01-08"}, 400, "doctor_id"),
            ({"doctor_id": self.dr_rao.pk}, 400, "date"),
            ({"doctor_id": self.dr_rao.pk, "date": "2030-02-30"}, 400, "date"),
            ({"doctor_id": 424242, "date": "2030-01-08"}, 404, "424242"),
        ]
        for body, status, fragment in cases:
            with self.subTest(body=body):
                self.assertError(self.call("GET", self.URL, body, user=self.alice.user), status,
                                 fragment)
        self.assertError(self.call("GET", self.URL, {"doctor_id": 1, "date": "2030-01-08"}), 401)

    def test_the_doctor_comes_from_the_directory_and_a_deactivated_one_is_404_at_once(self):
        """Two queries once warm (busy times, waitlist holds): the doctor is the cached
        directory's. Deactivating the doctor forgets the directory, so the next request
        answers 404, not stale slots."""
        client = api_client(self.alice.user)
        path = f"{self.URL}?doctor_id={self.dr_rao.pk}&date=2030-01-08"
        self.assertEqual(client.get(path).status_code, 200)  # warms token and directory
        with self.assertNumQueries(2):
            self.assertEqual(len(client.get(path).json()["slots"]), 6)
        with self.captureOnCommitCallbacks(execute=True):
            self.dr_rao.is_active = False
            self.dr_rao.save()
        self.assertError(client.get(path), 404, str(self.dr_rao.pk))
