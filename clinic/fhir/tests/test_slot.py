"""Slot: computed from the doctors' schedules, with stable ids, agreeing with /cms-api/slots/."""

import datetime as dt

from clinic.api.tests.base import MONDAY, TUESDAY
from clinic.appointments.services import appointment_book
from clinic.fhir.mappings.slot import slot_id
from clinic.fhir.tests.base import FhirTestCase
from clinic.testing import api_client, make_doctor, make_patient


class SlotTests(FhirTestCase):
    def slots(self, query: str, user=None) -> dict:
        return self.get_ok(f"/fhir/Slot?{query}", user=user or self.alice.user)

    def test_free_slots_of_a_doctor_and_day_agree_with_the_api(self):
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        api = api_client(self.alice.user).get(
            "/cms-api/slots/", {"doctor_id": self.dr_rao.pk, "date": TUESDAY.isoformat()}
        ).json()["slots"]
        bundle = self.slots(
            f"schedule=Schedule/{self.dr_rao.pk}&start=ge{TUESDAY}"
            f"&start=lt{TUESDAY + dt.timedelta(days=1)}&status=free&_count=100"
        )
        labels = [
            dt.datetime.fromisoformat(e["resource"]["start"]).strftime("%I:%M %p")
            for e in bundle["entry"]
        ]
        self.assertEqual(labels, api)
        self.assertNotIn("10:00 AM", labels)

    def test_a_booked_slot_is_busy_and_keeps_its_id(self):
        key = slot_id(self.dr_rao.pk, TUESDAY, dt.time(10, 0))
        self.assertEqual(self.get_ok(f"/fhir/Slot/{key}", user=self.alice.user)["status"], "free")
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        body = self.get_ok(f"/fhir/Slot/{key}", user=self.alice.user)
        self.assertEqual(body["status"], "busy")
        self.assertEqual(body["schedule"]["reference"], f"Schedule/{self.dr_rao.pk}")
        self.assertEqual(body["start"], f"{TUESDAY}T10:00:00+05:30")
        self.assertEqual(body["end"], f"{TUESDAY}T10:30:00+05:30")
        busy = self.slots(f"schedule={self.dr_rao.pk}&start={TUESDAY}&status=busy")
        self.assertEqual(self.ids(busy), [key])
        self.assertEqual(self.ids(self.slots(f"_id={key}")), [key])

    def test_ids_are_stable_between_searches(self):
        query = f"schedule={self.dr_rao.pk}&start={TUESDAY}"
        first = self.ids(self.slots(query))
        self.assertEqual(first, self.ids(self.slots(query, user=self.bob.user)))

    def test_start_prefixes(self):
        bundle = self.slots(f"schedule={self.dr_rao.pk}&start={TUESDAY}&_count=100")
        starts = {e["resource"]["id"]: e["resource"]["start"][11:16] for e in bundle["entry"]}
        self.assertIn("10:00", starts.values())

        def between(low, high):  # ids whose HH:MM is in [low, high)
            return sorted(k for k, at in starts.items() if low <= at < high)

        wednesday = TUESDAY + dt.timedelta(days=1)
        cases = {
            f"start=ge{TUESDAY}T10:00&start=lt{TUESDAY}T11:00": between("10:00", "11:00"),
            f"start=gt{TUESDAY}T10:00&start=le{TUESDAY}T11:00": between("10:01", "11:01"),
            f"start={TUESDAY}T10:00": between("10:00", "10:01"),
            f"start=sa{TUESDAY}T16:00&start=eb{wednesday}": between("16:01", "24:00"),
            f"start=ne{TUESDAY}T10:00&start={TUESDAY}": sorted(
                k for k, at in starts.items() if at != "10:00"
            ),
            "start=2000-01-01": [],
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                ids = self.ids(self.slots(f"schedule={self.dr_rao.pk}&{query}&_count=100"))
                self.assertEqual(sorted(ids), expected)

    def test_past_slots_are_not_searched_but_still_read(self):
        bundle = self.slots(f"schedule={self.dr_rao.pk}&start=lt{MONDAY}T08:00&status=busy")
        self.assertEqual(bundle["total"], 0)
        last_week = MONDAY - dt.timedelta(days=7)
        key = slot_id(self.dr_rao.pk, last_week, dt.time(9, 0))
        body = self.get_ok(f"/fhir/Slot/{key}", user=self.alice.user)
        self.assertEqual(body["status"], "busy")

    def test_an_unknown_slot_is_a_404(self):
        for key in ("nope", f"{self.dr_rao.pk}-20300108-0905", f"{self.dr_rao.pk}-20301345-0900",
                    "999-20300108-0900"):
            with self.subTest(key=key):
                self.assertOutcome(self.fhir("GET", f"/fhir/Slot/{key}", user=self.alice.user), 404)

    def test_status_and_schedule_filters(self):
        dr_two = make_doctor(name="Dr. Two")
        both = self.slots(f"schedule={self.dr_rao.pk},{dr_two.pk}&start={TUESDAY}&_count=100")
        schedules = {e["resource"]["schedule"]["reference"] for e in both["entry"]}
        self.assertEqual(schedules, {f"Schedule/{self.dr_rao.pk}", f"Schedule/{dr_two.pk}"})
        self.assertEqual(self.slots(f"start={TUESDAY}&status=entered-in-error")["total"], 0)
        self.assertEqual(self.slots("schedule=Schedule/999999")["total"], 0)

    def test_the_query_count_stays_constant_as_bookings_grow(self):
        client = self.client
        client.force_login(self.alice.user)
        path = f"/fhir/Slot?schedule={self.dr_rao.pk}&status=free&_count=100"
        client.get(path)
        before = self.query_count(client, path)
        for n in range(6):
            patient = make_patient(username=f"many{n}")
            appointment_book(patient=patient, doctor=self.dr_rao, day=TUESDAY,
                             start=dt.time(9 + n // 2, 30 * (n % 2)))
        with self.assertNumQueries(before):
            client.get(path)
