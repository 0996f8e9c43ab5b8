"""Appointment: read, search, booking and cancelling through the booking services."""

import datetime as dt
from unittest import mock

from django.core.cache import cache
from django.test import Client

from clinic.api.tests.base import TUESDAY, WEDNESDAY
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book
from clinic.audit.models import RecordAccess
from clinic.doctors import cache as doctors_cache
from clinic.doctors.models import Location, WeeklySchedule
from clinic.fhir.mappings.slot import slot_id
from clinic.fhir.tests.base import FhirTestCase
from clinic.patients.models import Patient
from clinic.testing import api_client, make_doctor, make_patient, make_staff, verified_login

JSON_PATCH = "application/json-patch+json"


class AppointmentTestCase(FhirTestCase):
    def book_body(self, patient, *, day=TUESDAY, at=dt.time(10, 0), doctor=None, **extra):
        doctor = doctor or self.dr_rao
        return {
            "resourceType": "Appointment",
            "status": "booked",
            "slot": [{"reference": f"Slot/{slot_id(doctor.pk, day, at)}"}],
            "participant": [
                {"actor": {"reference": f"Patient/{patient.pk}"}, "status": "accepted"},
                {"actor": {"reference": f"Practitioner/{doctor.pk}"}, "status": "accepted"},
            ],
            **extra,
        }

    def book(self, patient, *, user=None, **kwargs):
        return self.fhir("POST", "/fhir/Appointment", self.book_body(patient, **kwargs),
                         user=user or patient.user)


class AppointmentReadTests(AppointmentTestCase):
    def test_it_reads_the_callers_appointment_with_resolving_references(self):
        visit = appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY,
                                 start=dt.time(10, 0), reason="Chest pain")
        body = self.get_ok(f"/fhir/Appointment/{visit.pk}", user=self.alice.user)
        self.assertEqual(body["status"], "booked")
        self.assertEqual(body["start"], f"{TUESDAY}T10:00:00+05:30")
        self.assertEqual(body["description"], "Chest pain")
        slot = f"Slot/{self.dr_rao.pk}-{TUESDAY:%Y%m%d}-1000"
        self.assertEqual(body["slot"][0]["reference"], slot)
        actors = {p["actor"]["reference"].split("/")[0] for p in body["participant"]}
        self.assertEqual(actors, {"Patient", "Practitioner", "Location"})
        self.assertTrue(RecordAccess.objects.filter(patient=self.alice, via="fhir").exists())

    def test_another_patients_appointment_is_unreachable(self):
        visit = appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY,
                                 start=dt.time(10, 0))
        bob = self.bob.user
        path = f"/fhir/Appointment/{visit.pk}"
        self.assertOutcome(self.fhir("GET", path, user=bob), 404, "not-found")
        self.assertOutcome(self.fhir("GET", f"/fhir/Appointment/{visit.pk + 1}", user=bob), 404)
        for query in (f"patient={self.alice.pk}", f"_id={visit.pk}", "", f"date={TUESDAY}"):
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/Appointment?{query}", user=bob)
                self.assertEqual(bundle["total"], 0)
        cancelled = {**self.get_ok(path, user=self.alice.user), "status": "cancelled"}
        self.assertOutcome(self.fhir("PUT", path, cancelled, user=bob), 404)
        patch = [{"op": "replace", "path": "/status", "value": "cancelled"}]
        self.assertOutcome(self.fhir("PATCH", path, patch, user=bob, content_type=JSON_PATCH), 404)
        self.assertOutcome(self.fhir("GET", f"/fhir/Patient/{self.alice.pk}", user=bob), 404)
        visit.refresh_from_db()
        self.assertEqual(visit.status, Status.BOOKED)

    def test_search_by_each_parameter(self):
        first = appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY,
                                 start=dt.time(10, 0))
        second = appointment_book(patient=self.alice, doctor=self.dr_rao, day=WEDNESDAY,
                                  start=dt.time(11, 0))
        Appointment.objects.filter(pk=second.pk).update(status=Status.CANCELLED)
        both, one, two, none = [first, second], [first], [second], []
        cases = {
            f"patient={self.alice.pk}": both,
            f"patient=Patient/{self.alice.pk}": both,
            f"patient=Patient/{self.bob.pk}": none,
            f"practitioner=Practitioner/{self.dr_rao.pk}": both,
            f"date={TUESDAY}": one,
            f"date=ge{WEDNESDAY}": two,
            f"date=lt{WEDNESDAY}": one,
            f"date=gt{TUESDAY}T10:00": two,
            f"date=le{TUESDAY}T10:00": one,
            f"date=ge{TUESDAY}T10:00&date=lt{TUESDAY}T10:01": one,
            f"date=ne{TUESDAY}": two,
            "date=2030-01": both,
            "status=booked": one,
            "status=cancelled": two,
            "status=booked,cancelled": both,
            "status=fulfilled": none,
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/Appointment?{query}", user=self.alice.user)
                self.assertEqual(self.ids(bundle), [str(a.pk) for a in expected])

    def test_staff_read_by_role(self):
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0))
        desk, lab = Client(), Client()
        verified_login(desk, make_staff("front_desk"))
        verified_login(lab, make_staff("lab"))
        self.assertEqual(self.get_ok("/fhir/Appointment", client=desk)["total"], 2)
        self.assertOutcome(self.fhir("GET", "/fhir/Appointment", client=lab), 403, "forbidden")

    def test_the_query_count_stays_constant_as_appointments_grow(self):
        client = Client()
        verified_login(client, make_staff("front_desk"))
        path = "/fhir/Appointment?_count=100"
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        client.get(path)
        before = self.query_count(client, path)
        for n in range(1, 6):
            patient = make_patient(username=f"more{n}")
            appointment_book(patient=patient, doctor=self.dr_rao, day=TUESDAY,
                             start=dt.time(9 + n // 2, 30 * (n % 2)))
        with self.assertNumQueries(before):
            response = client.get(path)
        self.assertEqual(response.json()["total"], 6)


class AppointmentSiteTests(AppointmentTestCase):
    """Appointment.location is the site of the session a visit falls in: per visit, also
    when a search maps each doctor's week once (clinic.fhir.mappings.common.RequestMemo)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.main = WeeklySchedule.objects.filter(doctor=cls.dr_rao, weekday=1).get().location
        cls.annex = Location.objects.create(name="North Annex", address="4 Lake Road")
        # Dr. Rao works at the annex on Wednesdays; Dr. Iyer only there, on Tuesdays.
        WeeklySchedule.objects.filter(doctor=cls.dr_rao, weekday=2).update(location=cls.annex)
        cls.dr_iyer = make_doctor(name="Dr. Vikram Iyer", schedule=False)
        WeeklySchedule.objects.create(doctor=cls.dr_iyer, location=cls.annex, weekday=1,
                                      start="09:00", end="12:00", slot_minutes=30)

    def site_of(self, resource: dict) -> dict:
        (site,) = [p["actor"] for p in resource["participant"]
                   if p["actor"]["reference"].startswith("Location/")]
        return site

    def test_each_entry_of_a_search_names_its_own_site(self):
        visits = [
            appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY,
                             start=dt.time(10, 0)),
            appointment_book(patient=self.alice, doctor=self.dr_iyer, day=TUESDAY,
                             start=dt.time(11, 0)),
            appointment_book(patient=self.alice, doctor=self.dr_rao, day=WEDNESDAY,
                             start=dt.time(11, 0)),
        ]
        bundle = self.get_ok(f"/fhir/Appointment?patient={self.alice.pk}", user=self.alice.user)
        self.assertEqual(self.ids(bundle), [str(v.pk) for v in visits])
        sites = [self.site_of(entry["resource"]) for entry in bundle["entry"]]
        self.assertEqual(sites, [
            {"reference": f"Location/{self.main.pk}", "display": self.main.name},
            {"reference": f"Location/{self.annex.pk}", "display": "North Annex"},
            {"reference": f"Location/{self.annex.pk}", "display": "North Annex"},
        ])
        for visit, site in zip(visits, sites, strict=True):
            with self.subTest(visit=visit.pk):
                # The site notifications name (Appointment.location), and the single read's.
                self.assertEqual(site["reference"], f"Location/{visit.location['id']}")
                read = self.get_ok(f"/fhir/Appointment/{visit.pk}", user=self.alice.user)
                self.assertEqual(self.site_of(read), site)

    def week_reads(self, path: str) -> int:
        """How many times a GET of `path` by alice reads a doctor's week from the cache."""
        client = api_client(self.alice.user)
        with mock.patch.object(doctors_cache, "cache", mock.Mock(wraps=cache)) as spy:
            response = client.get(path)
        self.assertEqual(response.status_code, 200)
        return sum(
            1 for call in spy.get_or_set.call_args_list if call.args[0].startswith("doctors:week")
        )

    def test_a_search_reads_each_doctors_week_once_however_many_visits(self):
        path = f"/fhir/Appointment?patient={self.alice.pk}"
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=WEDNESDAY,
                         start=dt.time(9, 0))
        appointment_book(patient=self.alice, doctor=self.dr_iyer, day=TUESDAY,
                         start=dt.time(9, 0))
        self.assertEqual(self.week_reads(path), 2)
        more = [(self.dr_rao, TUESDAY, dt.time(9, 30)), (self.dr_rao, TUESDAY, dt.time(10, 0)),
                (self.dr_rao, WEDNESDAY, dt.time(9, 30)), (self.dr_iyer, TUESDAY, dt.time(11, 0)),
                (self.dr_iyer, TUESDAY, dt.time(11, 30)), (self.dr_rao, WEDNESDAY, dt.time(10, 0))]
        for doctor, day, at in more:
            appointment_book(patient=self.alice, doctor=doctor, day=day, start=at)
        self.assertEqual(self.get_ok(path, user=self.alice.user)["total"], 8)
        self.assertEqual(self.week_reads(path), 2)


class BookingTests(AppointmentTestCase):
    def test_booking_through_fhir_shows_in_the_api(self):
        response = self.book(self.alice, description="Follow-up")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(response["Location"], f"http://testserver/fhir/Appointment/{body['id']}")
        self.assertValidFhir(body, user=self.alice.user)
        self.assertEqual(body["status"], "booked")
        bookings = api_client(self.alice.user).get("/cms-api/booking/").json()
        self.assertEqual([b["Booking_id"] for b in bookings], [int(body["id"])])
        self.assertEqual(bookings[0]["time_slot"], "10:00 AM")
        slot = self.get_ok(body["slot"][0]["reference"].join(["/fhir/", ""]), user=self.bob.user)
        self.assertEqual(slot["status"], "busy")

    def test_booking_through_the_api_shows_in_fhir(self):
        response = api_client(self.alice.user).post(
            "/cms-api/booking/",
            {"date": TUESDAY.isoformat(), "slot": "11:30 AM", "doc_id": self.dr_rao.pk},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        booking_id = response.json()["data"]["Booking_id"]
        bundle = self.get_ok(f"/fhir/Appointment?patient={self.alice.pk}", user=self.alice.user)
        self.assertEqual(self.ids(bundle), [str(booking_id)])
        slot = self.get_ok(f"/fhir/Slot/{slot_id(self.dr_rao.pk, TUESDAY, dt.time(11, 30))}",
                           user=self.bob.user)
        self.assertEqual(slot["status"], "busy")

    def test_a_taken_slot_is_a_409(self):
        self.assertEqual(self.book(self.alice).status_code, 201)
        response = self.book(self.bob)
        self.assertOutcome(response, 409, "conflict")
        self.assertEqual(Appointment.objects.count(), 1)

    def test_a_guardian_books_for_a_dependant(self):
        child = Patient.objects.create(given_name="Cara", gender="Female", dob=dt.date(2020, 1, 2))
        child.guardians.add(self.alice.user)
        response = self.book(child, user=self.alice.user)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Appointment.objects.get().patient, child)

    def test_bad_bookings_are_refused_and_change_nothing(self):
        good = self.book_body(self.alice)
        two_slots = good["slot"] * 2
        cases = {
            "not an appointment": {**good, "resourceType": "Patient"},
            "proposed": {**good, "status": "proposed"},
            "no slot": {k: v for k, v in good.items() if k != "slot"},
            "two slots": {**good, "slot": two_slots},
            "bad slot": {**good, "slot": [{"reference": "Slot/nope"}]},
            "slot of no session": {
                **good, "slot": [{"reference": f"Slot/{self.dr_rao.pk}-{TUESDAY:%Y%m%d}-0905"}]
            },
            "past slot": {**good, "slot": [{"reference": f"Slot/{self.dr_rao.pk}-20290101-1000"}]},
            "no patient": {**good, "participant": good["participant"][1:]},
            "another patient": self.book_body(self.bob),
            "unknown patient": {**good, "participant": [{"actor": {"reference": "Patient/99999"}}]},
            "other doctor": {**good, "participant": [
                good["participant"][0], {"actor": {"reference": "Practitioner/99999"}}]},
            "wrong start": {**good, "start": f"{TUESDAY}T11:00:00+05:30"},
            "long reason": {**good, "description": "x" * 201},
            "a list": [good],
        }
        for name, body in cases.items():
            with self.subTest(name):
                response = self.fhir("POST", "/fhir/Appointment", body, user=self.alice.user)
                self.assertOutcome(response, 400)
        self.assertOutcome(self.fhir("POST", "/fhir/Appointment", raw="{nope",
                                     user=self.alice.user), 400, "structure")
        self.assertOutcome(self.fhir("POST", "/fhir/Appointment", raw="x", user=self.alice.user,
                                     content_type="text/plain"), 415)
        self.assertEqual(Appointment.objects.count(), 0)


class CancelTests(AppointmentTestCase):
    def setUp(self):
        super().setUp()
        response = self.book(self.alice)
        self.assertEqual(response.status_code, 201, response.content)
        self.resource = response.json()
        self.path = f"/fhir/Appointment/{self.resource['id']}"

    def assertCancelled(self, response):
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "cancelled")
        self.assertValidFhir(response.json(), user=self.alice.user)
        history = api_client(self.alice.user).get("/cms-api/history/").json()
        self.assertEqual([(h["book_no"] and h["reason"]) for h in history], ["Canceled"])
        self.assertEqual(api_client(self.alice.user).get("/cms-api/booking/").json(), [])
        slot = self.get_ok(f"/fhir/{self.resource['slot'][0]['reference']}", user=self.bob.user)
        self.assertEqual(slot["status"], "free")

    def test_cancel_by_put(self):
        body = {**self.resource, "status": "cancelled"}
        self.assertCancelled(self.fhir("PUT", self.path, body, user=self.alice.user))
        # Again: nothing more to do, the same answer.
        again = self.fhir("PUT", self.path, body, user=self.alice.user)
        self.assertEqual(again.status_code, 200)

    def test_cancel_by_put_of_just_the_status(self):
        body = {"resourceType": "Appointment", "status": "cancelled"}
        self.assertCancelled(self.fhir("PUT", self.path, body, user=self.alice.user))

    def test_cancel_by_json_patch(self):
        patch = [{"op": "test", "path": "/status", "value": "booked"},
                 {"op": "replace", "path": "/status", "value": "cancelled"}]
        response = self.fhir("PATCH", self.path, patch, user=self.alice.user,
                             content_type=JSON_PATCH)
        self.assertCancelled(response)
        again = self.fhir("PATCH", self.path, patch, user=self.alice.user, content_type=JSON_PATCH)
        self.assertOutcome(again, 409, "conflict")

    def test_a_booking_cancelled_through_the_api_reads_cancelled(self):
        api_client(self.alice.user).delete(
            "/cms-api/booking/", {"booking-ids": [int(self.resource["id"])]}, format="json"
        )
        body = self.get_ok(self.path, user=self.alice.user)
        self.assertEqual(body["status"], "cancelled")

    def test_only_cancelling_is_allowed(self):
        bad_puts = {
            "status arrived": {**self.resource, "status": "arrived"},
            "moved": {**self.resource, "status": "cancelled", "start": f"{TUESDAY}T11:00:00+05:30"},
            "other patient": {**self.resource, "participant": [
                {"actor": {"reference": f"Patient/{self.bob.pk}"}}]},
        }
        for name, body in bad_puts.items():
            with self.subTest(name):
                response = self.fhir("PUT", self.path, body, user=self.alice.user)
                self.assertOutcome(response, 422, "business-rule")
        self.assertOutcome(self.fhir("PUT", self.path, {**self.resource, "id": "1234"},
                                     user=self.alice.user), 400)
        patches = {
            "description": [{"op": "add", "path": "/description", "value": "x"}],
            "bad pointer": [{"op": "replace", "path": "/nope/x", "value": 1}],
            "not a list": {"op": "replace", "path": "/status", "value": "cancelled"},
            "bad op": [{"op": "fly", "path": "/status"}],
        }
        for name, patch in patches.items():
            with self.subTest(name):
                response = self.fhir("PATCH", self.path, patch, user=self.alice.user,
                                     content_type=JSON_PATCH)
                self.assertIn(response.status_code, (400, 422), response.content)
                self.assertOutcome(response, response.status_code)
        response = self.fhir("PATCH", self.path, [], user=self.alice.user,
                             content_type="application/json")
        self.assertOutcome(response, 415)
        self.assertEqual(Appointment.objects.get().status, Status.BOOKED)

    def test_the_front_desk_books_and_cancels_for_a_patient(self):
        desk = Client()
        verified_login(desk, make_staff("front_desk"))
        body = self.book_body(self.bob, at=dt.time(11, 0))
        response = self.fhir("POST", "/fhir/Appointment", body, client=desk)
        self.assertEqual(response.status_code, 201, response.content)
        path = f"/fhir/Appointment/{response.json()['id']}"
        response = self.fhir("PATCH", path, [{"op": "replace", "path": "/status",
                                              "value": "cancelled"}],
                             client=desk, content_type=JSON_PATCH)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["cancelationReason"]["text"], "Cancelled by the clinic")
        # A doctor's role sees appointments but may not cancel them.
        doctor = Client()
        verified_login(doctor, make_staff("doctor"))
        body = {"resourceType": "Appointment", "status": "cancelled"}
        self.assertOutcome(self.fhir("PUT", self.path, body, client=doctor), 403, "forbidden")
        self.assertEqual(Appointment.objects.get(pk=self.resource["id"]).status, Status.BOOKED)

    def test_a_past_visit_cannot_be_cancelled(self):
        Appointment.objects.filter(pk=self.resource["id"]).update(status=Status.COMPLETED)
        body = {**self.get_ok(self.path, user=self.alice.user), "status": "cancelled"}
        self.assertOutcome(self.fhir("PUT", self.path, body, user=self.alice.user), 409)
