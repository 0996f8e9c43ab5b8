"""The clinical types over /fhir/: read and search for the patient, their guardian and
staff by role; nothing entered in error or unreleased for patients; 404 for another
patient's resources; access logged; constant query counts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.audit.models import RecordAccess
from clinic.fhir.tests.base import FhirTestCase
from clinic.fhir.tests.clinical_cases import ClinicalRecordMixin, validated
from clinic.testing import api_client, make_doctor, make_staff, verified_login

TYPES = ("Encounter", "MedicationRequest", "DiagnosticReport", "DocumentReference")


class ClinicalApiCase(ClinicalRecordMixin, FhirTestCase):
    def search(self, path, user=None, client=None):
        bundle = self.get_ok(path, user=user, client=client)
        for entry in bundle.get("entry", []):
            validated(entry["resource"])
        return bundle

    def staff_client(self, *roles, doctor=None):
        user = make_staff(*roles, doctor=doctor)
        client = api_client()
        verified_login(client, user)
        return client

    def alice_ids(self):
        return {
            "Encounter": [str(self.consultation.pk)],
            "MedicationRequest": [str(self.line.pk)],
            "DiagnosticReport": [str(self.report.pk)],
            "DocumentReference": [
                f"prescription-{self.consultation.pk}",
                f"lab-{self.report.pk}",
            ],
        }


class PatientReadsTests(ClinicalApiCase):
    def test_a_patient_searches_each_type_and_gets_only_what_stands(self):
        """No record entered in error, no unreleased report, nothing of bob's."""
        for name, ids in self.alice_ids().items():
            with self.subTest(type=name):
                bundle = self.search(f"/fhir/{name}", user=self.alice.user)
                self.assertEqual(self.ids(bundle), ids)
                self.assertEqual(bundle["total"], len(ids))
                bundle = self.search(
                    f"/fhir/{name}?patient=Patient/{self.alice.pk}", user=self.alice.user
                )
                self.assertEqual(self.ids(bundle), ids)

    def test_a_patient_reads_each_of_their_resources(self):
        for name, ids in self.alice_ids().items():
            for resource_id in ids:
                with self.subTest(ref=f"{name}/{resource_id}"):
                    body = self.get_ok(f"/fhir/{name}/{resource_id}", user=self.alice.user)
                    self.assertEqual(validated(body)["id"], resource_id)

    def test_another_patients_or_withdrawn_resources_are_404(self):
        """bob's records, alice's entered in error or unreleased ones, and ids guessed."""
        hidden = {
            "Encounter": [self.bob_consultation.pk, self.wrong_consultation.pk, 999999],
            "MedicationRequest": [self.wrong_line.pk, self.bob_consultation.lines.get().pk],
            "DiagnosticReport": [self.bob_report.pk, self.ordered.pk, self.wrong_report.pk],
            "DocumentReference": [
                f"lab-{self.bob_report.pk}",
                f"lab-{self.ordered.pk}",
                f"lab-{self.wrong_report.pk}",
                f"prescription-{self.bob_consultation.pk}",
                f"prescription-{self.wrong_consultation.pk}",
                f"report-{self.report.pk}",
                str(self.report.pk),
            ],
        }
        for name, ids in hidden.items():
            for resource_id in ids:
                with self.subTest(ref=f"{name}/{resource_id}"):
                    response = self.fhir("GET", f"/fhir/{name}/{resource_id}", user=self.alice.user)
                    self.assertOutcome(response, 404, "not-found")

    def test_searching_for_another_patient_finds_nothing(self):
        for name in TYPES:
            with self.subTest(type=name):
                bundle = self.search(f"/fhir/{name}?patient={self.bob.pk}", user=self.alice.user)
                self.assertEqual((bundle["total"], self.ids(bundle)), (0, []))
                bundle = self.search(
                    f"/fhir/{name}?_id={self.alice_ids()[name][0]}", user=self.bob.user
                )
                self.assertEqual(bundle["total"], 0)

    def test_a_guardian_reads_their_dependants_records(self):
        self.alice.guardians.add(self.bob.user)
        for name, ids in self.alice_ids().items():
            with self.subTest(type=name):
                bundle = self.search(f"/fhir/{name}?patient={self.alice.pk}", user=self.bob.user)
                self.assertEqual(self.ids(bundle), ids)

    def test_reads_and_searches_are_logged(self):
        RecordAccess.objects.all().delete()
        self.get_ok(f"/fhir/Encounter/{self.consultation.pk}", user=self.alice.user)
        self.search("/fhir/DocumentReference", user=self.alice.user)
        accesses = RecordAccess.objects.filter(patient=self.alice, via="fhir")
        self.assertGreaterEqual(accesses.count(), 2)


class SearchParameterTests(ClinicalApiCase):
    def test_encounter_by_date_with_prefixes(self):
        user = self.alice.user
        for query, expected in (
            ("date=2030-01-06", [self.consultation]),
            ("date=ge2030-01-06", [self.consultation]),
            ("date=gt2030-01-06", []),
            ("date=lt2030-01-06", []),
            ("date=le2030-01", [self.consultation]),
            ("date=2030-01-06T15:00", [self.consultation]),
            ("date=ne2030-01-06", []),
        ):
            with self.subTest(query=query):
                bundle = self.search(f"/fhir/Encounter?{query}", user=user)
                self.assertEqual(self.ids(bundle), [str(c.pk) for c in expected])

    def test_medication_requests_by_encounter(self):
        user = self.alice.user
        bundle = self.search(f"/fhir/MedicationRequest?encounter={self.consultation.pk}", user=user)
        self.assertEqual(self.ids(bundle), [str(self.line.pk)])
        bundle = self.search(
            f"/fhir/MedicationRequest?encounter=Encounter/{self.bob_consultation.pk}", user=user
        )
        self.assertEqual(self.ids(bundle), [])

    def test_diagnostic_reports_by_status(self):
        user = self.alice.user
        for query, expected in (
            ("final", [self.report.pk]),
            ("preliminary", []),
            ("entered-in-error", []),
        ):
            with self.subTest(query=query):
                bundle = self.search(f"/fhir/DiagnosticReport?status={query}", user=user)
                self.assertEqual(self.ids(bundle), [str(pk) for pk in expected])

    def test_bad_values_are_a_400_outcome(self):
        for path in (
            "/fhir/Encounter?date=yesterday",
            "/fhir/Encounter?patient:Practitioner=1",
            "/fhir/DiagnosticReport?status:text=final",
        ):
            with self.subTest(path=path):
                response = self.fhir("GET", path, user=self.alice.user)
                self.assertOutcome(response, 400)

    def test_documents_page_across_both_kinds(self):
        user = self.alice.user
        first = self.search("/fhir/DocumentReference?_count=1", user=user)
        self.assertEqual(first["total"], 2)
        following = next(link["url"] for link in first["link"] if link["relation"] == "next")
        second = self.search(following.replace("http://testserver", ""), user=user)
        self.assertEqual(self.ids(first) + self.ids(second), self.alice_ids()["DocumentReference"])


class StaffReadsTests(ClinicalApiCase):
    def test_the_front_desk_and_the_lab_may_not_read_clinical_content(self):
        for role in ("front_desk", "lab"):
            client = self.staff_client(role)
            for name in TYPES:
                with self.subTest(role=role, type=name):
                    response = self.fhir("GET", f"/fhir/{name}", client=client)
                    self.assertOutcome(response, 403)

    def test_a_manager_also_sees_records_entered_in_error(self):
        client = self.staff_client("manager")
        bundle = self.search(f"/fhir/Encounter?patient={self.alice.pk}", client=client)
        by_id = {e["resource"]["id"]: e["resource"]["status"] for e in bundle["entry"]}
        self.assertEqual(by_id[str(self.wrong_consultation.pk)], "entered-in-error")
        self.assertEqual(by_id[str(self.consultation.pk)], "finished")
        bundle = self.search(f"/fhir/DiagnosticReport?patient={self.alice.pk}", client=client)
        self.assertEqual(len(bundle["entry"]), 2)

    def test_a_doctor_reads_only_the_patients_they_see(self):
        other = make_doctor()
        client = self.staff_client("doctor", doctor=other)
        response = self.fhir("GET", f"/fhir/Encounter/{self.consultation.pk}", client=client)
        self.assertOutcome(response, 404)
        self.assertEqual(self.search("/fhir/Encounter", client=client)["total"], 0)
        own = api_client()
        verified_login(own, self.doctor_user)
        self.assertGreater(self.search("/fhir/Encounter", client=own)["total"], 0)


class QueryCountTests(ClinicalApiCase):
    def test_search_query_counts_do_not_grow_with_the_record(self):
        user = self.alice.user
        client = api_client(user)
        for name in TYPES:
            client.get(f"/fhir/{name}")  # warms the caches the directory keeps
        counts = {}
        for round_ in range(2):
            for name in TYPES:
                with self.subTest(type=name, round=round_):
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(f"/fhir/{name}")
                    self.assertEqual(response.status_code, 200)
                    if round_:
                        self.assertEqual(len(queries), counts[name], name)
                    counts[name] = len(queries)
            self.more_records()

    def more_records(self):
        for _ in range(3):
            consultation = self.consult(self.alice)
            self.prescribe(consultation, "Zinc")
            self.released_report(self.alice, "TSH")


class CapabilityTests(ClinicalApiCase):
    def test_metadata_lists_the_clinical_types_their_parameters_and_everything(self):
        body = self.fhir("GET", "/fhir/metadata").json()
        served = {entry["type"]: entry for entry in body["rest"][0]["resource"]}
        for name, params in {
            "Encounter": {"_id", "patient", "date"},
            "MedicationRequest": {"_id", "patient", "encounter"},
            "DiagnosticReport": {"_id", "patient", "status"},
            "DocumentReference": {"_id", "patient"},
        }.items():
            with self.subTest(type=name):
                self.assertEqual({p["name"] for p in served[name]["searchParam"]}, params)
                codes = {i["code"] for i in served[name]["interaction"]}
                self.assertEqual(codes, {"read", "search-type"})
        self.assertIn("everything", {op["name"] for op in served["Patient"]["operation"]})

    def test_search_by_post_matches_search_by_get(self):
        for name in TYPES:
            with self.subTest(type=name):
                response = api_client(self.alice.user).post(
                    f"/fhir/{name}/_search",
                    data=f"patient={self.alice.pk}",
                    content_type="application/x-www-form-urlencoded",
                )
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(self.ids(response.json()), self.alice_ids()[name])
