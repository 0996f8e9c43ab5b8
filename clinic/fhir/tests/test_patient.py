"""Patient: read and search, within the caller's compartment, every read logged."""

import datetime as dt

from django.test import Client

from clinic.audit.models import RecordAccess
from clinic.fhir.mappings.common import RECORD_NUMBER_SYSTEM
from clinic.fhir.tests.base import FhirTestCase
from clinic.patients.models import Patient
from clinic.testing import make_patient, make_staff, verified_login


class PatientReadTests(FhirTestCase):
    def test_it_reads_the_callers_own_record_with_the_record_number(self):
        body = self.get_ok(f"/fhir/Patient/{self.alice.pk}", user=self.alice.user)
        self.assertEqual(body["id"], str(self.alice.pk))
        self.assertEqual(body["identifier"][0]["system"], RECORD_NUMBER_SYSTEM)
        self.assertEqual(body["identifier"][0]["value"], self.alice.record_number)
        self.assertEqual(body["name"][0]["family"], "Adams")
        self.assertEqual(body["gender"], "female")
        self.assertEqual(body["birthDate"], "1990-05-17")
        self.assertNotIn("password", str(body).lower())

    def test_another_patients_record_is_a_404_like_a_missing_one(self):
        for path in (f"/fhir/Patient/{self.bob.pk}", "/fhir/Patient/999999", "/fhir/Patient/abc"):
            with self.subTest(path=path):
                response = self.fhir("GET", path, user=self.alice.user)
                self.assertOutcome(response, 404, "not-found")

    def test_a_guardian_reads_their_dependants_record(self):
        child = Patient.objects.create(given_name="Cara", family_name="Adams", gender="Female",
                                       dob=dt.date(2020, 1, 2))
        child.guardians.add(self.alice.user)
        self.get_ok(f"/fhir/Patient/{child.pk}", user=self.alice.user)
        bundle = self.get_ok("/fhir/Patient", user=self.alice.user)
        self.assertEqual(sorted(self.ids(bundle)), sorted([str(self.alice.pk), str(child.pk)]))
        self.assertOutcome(self.fhir("GET", f"/fhir/Patient/{child.pk}", user=self.bob.user), 404)

    def test_every_read_and_search_is_logged(self):
        self.get_ok(f"/fhir/Patient/{self.alice.pk}", user=self.alice.user)
        self.get_ok("/fhir/Patient?name=alice", user=self.alice.user)
        rows = RecordAccess.objects.filter(patient=self.alice, via="fhir")
        self.assertEqual(rows.count(), 2)
        self.assertEqual({row.user_id for row in rows}, {self.alice.user.pk})


class PatientSearchTests(FhirTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.desk = make_staff("front_desk")
        cls.carol = make_patient(first_name="Carol Ann", last_name="Chopra", username="carol",
                                 phone="9876543210")
        cls.carol.dob = dt.date(1985, 12, 31)
        cls.carol.save()

    def setUp(self):
        super().setUp()
        self.client = Client()
        verified_login(self.client, self.desk)

    def search(self, query: str) -> list[str]:
        return self.ids(self.get_ok(f"/fhir/Patient?{query}", client=self.client))

    def test_staff_with_the_permission_search_every_patient(self):
        ids = self.search("_count=100")
        self.assertEqual(set(ids), {str(p.pk) for p in Patient.objects.all()})

    def test_it_searches_by_each_parameter(self):
        carol = [str(self.carol.pk)]
        cases = {
            f"identifier={self.carol.record_number}": carol,
            f"identifier={RECORD_NUMBER_SYSTEM}|{self.carol.record_number.lower()}": carol,
            f"identifier=other-system|{self.carol.record_number}": [],
            "name=chop": carol,
            "name=ann": carol,
            "name:exact=Chopra": carol,
            "name:exact=chop": [],
            "name:contains=hopr": carol,
            "family=Chopra": carol,
            "given=carol": carol,
            "given=Chopra": [],
            "birthdate=1985-12-31": carol,
            "birthdate=1985-12": carol,
            "birthdate=1985": carol,
            "birthdate=lt1986&birthdate=gt1985-12-30": carol,
            "birthdate=le1985-12-31&family=Chopra": carol,
            "phone=9876543210": carol,
            "phone=%2B919876543210": carol,
            "email=CAROL@example.com": carol,
            f"_id={self.carol.pk}": carol,
            f"_id={self.carol.pk},{self.alice.pk}&name=carol": carol,
            "name=carol,alice&_count=100": sorted([str(self.alice.pk), *carol], key=int),
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.search(query), expected)

    def test_a_patient_searching_finds_only_their_compartment(self):
        for query in ("name=carol", f"identifier={self.carol.record_number}", "phone=9876543210",
                      f"_id={self.carol.pk}"):
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/Patient?{query}", user=self.alice.user)
                self.assertEqual(bundle["total"], 0)

    def test_staff_without_the_second_factor_see_no_patient(self):
        client = Client()
        client.force_login(self.desk)  # a session that never passed the code
        self.assertEqual(self.get_ok("/fhir/Patient", client=client)["total"], 0)

    def test_the_query_count_stays_constant_as_patients_are_added(self):
        path = "/fhir/Patient?name=p&_count=100"
        make_patient(first_name="Pat", username="first")
        self.client.get(path)
        before = self.query_count(self.client, path)
        for n in range(1, 16):
            make_patient(first_name=f"Pat{n}", username=f"extra{n}")
        with self.assertNumQueries(before):
            response = self.client.get(path)
        self.assertGreaterEqual(response.json()["total"], 15)
