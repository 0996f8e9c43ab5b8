import datetime as dt

import time_machine

from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.testing import FIXED_NOW, api_client, make_patient
from clinic.waitlist.models import EntryStatus, WaitlistEntry
from clinic.waitlist.services import waitlist_join

URL = "/cms-api/waitlist/"
CLAIM = "/cms-api/waitlist/claim/"
DOCTOR_REF = {
    "name": "Dr. Asha Rao",
    "gender": "Male",
    "domain": "Cardiology",
    "ofiice_number": "101",
}


class WaitlistApiTests(ApiTestCase):
    def join(self, user=None, **body):
        body = {"doc_id": self.dr_rao.pk, "from": str(TUESDAY), **body}
        return self.call("POST", URL, body, user=user or self.alice.user)

    def test_it_joins_and_lists(self):
        response = self.join(to=str(WEDNESDAY))
        self.assertEqual(response.status_code, 201, response.content)
        entry = WaitlistEntry.objects.get()
        expected = {
            "waitlist_id": entry.pk,
            "doctor": {"doctor_id": self.dr_rao.pk, **DOCTOR_REF},
            "from": str(TUESDAY),
            "to": str(WEDNESDAY),
            "status": "waiting",
            "offer": None,
        }
        self.assertEqual(response.json(), {"MSG": " Added To Waitlist", "data": expected})
        listed = self.call("GET", URL, user=self.alice.user)
        self.assertEqual(listed.json(), [expected])
        self.assertEqual(listed["X-Total-Count"], "1")
        self.assertEqual(self.call("GET", URL, user=self.bob.user).json(), [])

    def test_to_defaults_to_from(self):
        self.assertEqual(self.join().json()["data"]["to"], str(TUESDAY))

    def test_bad_joins_change_nothing(self):
        self.join(to=str(WEDNESDAY))
        cases = [
            (400, "from", {"from": "2020-01-01"}),
            (400, "to", {"to": str(TUESDAY - dt.timedelta(days=1))}),
            (400, "to", {"to": str(TUESDAY + dt.timedelta(days=400))}),
            (400, "from", {"from": "soon"}),
            (400, "doc_id", {"doc_id": None}),
            (404, "doctor", {"doc_id": 987654}),
            (409, "overlapping", {"from": str(WEDNESDAY)}),
        ]
        for status, fragment, body in cases:
            with self.subTest(body=body):
                self.assertError(self.join(**body), status, fragment)
        self.assertEqual(WaitlistEntry.objects.count(), 1)

    def test_it_lists_an_offer_newest_first(self):
        carol = make_patient(first_name="Carol")
        carols = appointment_book(
            patient=carol, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        older = self.join(**{"from": str(WEDNESDAY)}).json()["data"]["waitlist_id"]
        newer = self.join().json()["data"]["waitlist_id"]
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=carol, ids=[carols.pk])
        listed = self.call("GET", URL, user=self.alice.user).json()
        self.assertEqual([e["waitlist_id"] for e in listed], [newer, older])
        self.assertEqual(listed[0]["status"], "offered")
        self.assertEqual(
            listed[0]["offer"],
            {"date": str(TUESDAY), "slot": "09:30 AM", "expires_at": "2030-01-07T08:15:00+05:30"},
        )
        slots = self.call(
            "GET",
            f"/cms-api/slots/?doctor_id={self.dr_rao.pk}&date={TUESDAY}",
            user=self.bob.user,
        ).json()["slots"]
        self.assertNotIn("09:30 AM", slots)
        taken = self.call(
            "POST",
            "/cms-api/booking/",
            {"date": str(TUESDAY), "slot": "09:30 AM", "doc_id": self.dr_rao.pk},
            user=self.bob.user,
        )
        self.assertError(taken, 409, "waiting list")

        claimed = self.call("POST", CLAIM, {"waitlist_id": newer}, user=self.alice.user)
        self.assertEqual(claimed.status_code, 201, claimed.content)
        body = claimed.json()
        self.assertEqual(body["MSG"], " Slot Booked!")
        self.assertEqual(
            (body["data"]["booking_date"], body["data"]["time_slot"]), (str(TUESDAY), "09:30 AM")
        )
        self.assertEqual(Appointment.objects.get(pk=body["data"]["Booking_id"]).patient, self.alice)
        again = self.call("POST", CLAIM, {"waitlist_id": newer}, user=self.alice.user)
        self.assertError(again, 409, "no live offer")
        self.assertEqual(self.call("GET", URL, user=self.alice.user).json()[0]["status"], "booked")

    def test_claims_without_a_live_offer(self):
        entry = waitlist_join(patient=self.alice, doctor=self.dr_rao, first_day=TUESDAY)
        self.assertError(
            self.call("POST", CLAIM, {"waitlist_id": entry.pk}, user=self.alice.user),
            409,
            "no live offer",
        )
        self.assertError(
            self.call("POST", CLAIM, {"waitlist_id": entry.pk}, user=self.bob.user),
            404,
            str(entry.pk),
        )
        self.assertError(self.call("POST", CLAIM, {}, user=self.alice.user), 400, "waitlist_id")
        self.assertFalse(Appointment.objects.exists())

    def test_leaving_is_all_or_nothing(self):
        mine = waitlist_join(patient=self.alice, doctor=self.dr_rao, first_day=TUESDAY)
        other = waitlist_join(patient=self.alice, doctor=self.dr_rao, first_day=WEDNESDAY)
        bobs = waitlist_join(patient=self.bob, doctor=self.dr_rao, first_day=TUESDAY)
        response = self.call(
            "DELETE", URL, {"waitlist-ids": [mine.pk, bobs.pk]}, user=self.alice.user
        )
        self.assertError(response, 404, str(bobs.pk))
        self.assertEqual(WaitlistEntry.objects.filter(status="waiting").count(), 3)
        response = self.call(
            "DELETE", URL, {"waitlist-ids": [mine.pk, other.pk]}, user=self.alice.user
        )
        self.assertEqual(response.json(), {"MSG": " Removed From Waitlist"})
        mine.refresh_from_db()
        self.assertEqual(mine.status, EntryStatus.CANCELLED)
        self.assertError(
            self.call("DELETE", URL, {"waitlist-ids": [mine.pk]}, user=self.alice.user), 404
        )
        self.assertError(
            self.call("DELETE", URL, {"waitlist-ids": []}, user=self.alice.user),
            400,
            "waitlist-ids",
        )
        # A left entry no longer blocks joining again.
        self.assertEqual(self.join().status_code, 201)

    def test_pages_and_constant_queries(self):
        client = api_client(self.alice.user)
        client.get(URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        for rows in (2, 6):
            WaitlistEntry.objects.all().delete()
            for i in range(rows):
                waitlist_join(
                    patient=self.alice, doctor=self.dr_rao, first_day=TUESDAY + dt.timedelta(days=i)
                )
            with self.subTest(rows=rows), self.assertNumQueries(1):
                response = client.get(URL)
            self.assertEqual(len(response.json()), rows)
        page = client.get(URL, {"limit": 2, "offset": 1})
        self.assertEqual(page["X-Total-Count"], "6")
        self.assertEqual(page.json(), client.get(URL).json()[1:3])
        self.assertError(client.get(URL, {"limit": 500}), 400, "limit")

    def test_an_expired_offer_shows_as_expired(self):
        carol = make_patient(first_name="Carol")
        carols = appointment_book(
            patient=carol, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        entry_id = self.join().json()["data"]["waitlist_id"]
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=carol, ids=[carols.pk])
        with time_machine.travel(FIXED_NOW + dt.timedelta(minutes=16), tick=False):
            listed = self.call("GET", URL, user=self.alice.user).json()
            self.assertEqual((listed[0]["status"], listed[0]["offer"]), ("expired", None))
            self.assertError(
                self.call("POST", CLAIM, {"waitlist_id": entry_id}, user=self.alice.user), 409
            )
        self.assertEqual(Appointment.objects.filter(status=Status.BOOKED).count(), 0)
