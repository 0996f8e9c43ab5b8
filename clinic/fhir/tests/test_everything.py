"""`Patient/<id>/$everything` and the portal's "Download my records"."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.audit.models import RecordAccess
from clinic.fhir.tests.base import FhirTestCase
from clinic.fhir.tests.clinical_cases import ClinicalRecordMixin, validated
from clinic.testing import api_client, make_staff, verified_login

CLINICAL = {"Encounter", "MedicationRequest", "DiagnosticReport", "DocumentReference"}


class EverythingTests(ClinicalRecordMixin, FhirTestCase):
    def everything(self, patient, **caller):
        return self.get_ok(f"/fhir/Patient/{patient.pk}/$everything", **caller)

    def by_type(self, bundle) -> dict[str, list[str]]:
        found = {}
        for entry in bundle["entry"]:
            resource = entry["resource"]
            found.setdefault(resource["resourceType"], []).append(resource["id"])
        return found

    def test_the_bundle_holds_the_patient_and_their_whole_record(self):
        """Every resource valid, every reference resolving; nothing withdrawn or of bob's."""
        bundle = self.everything(self.alice, user=self.alice.user)
        self.assertEqual(bundle["type"], "searchset")
        self.assertEqual(bundle["total"], len(bundle["entry"]))
        found = self.by_type(bundle)
        self.assertEqual(found["Patient"], [str(self.alice.pk)])
        self.assertEqual(found["Encounter"], [str(self.consultation.pk)])
        self.assertEqual(found["MedicationRequest"], [str(self.line.pk)])
        self.assertEqual(found["DiagnosticReport"], [str(self.report.pk)])
        self.assertEqual(
            found["DocumentReference"],
            [f"prescription-{self.consultation.pk}", f"lab-{self.report.pk}"],
        )
        for entry in bundle["entry"]:
            resource = entry["resource"]
            self.assertTrue(
                entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
            )
            if resource["resourceType"] in CLINICAL:
                validated(resource)
                self.assertEqual(resource["subject"]["reference"], f"Patient/{self.alice.pk}")

    def test_another_patient_or_a_guessed_id_is_a_404(self):
        for path in (
            f"/fhir/Patient/{self.bob.pk}/$everything",
            "/fhir/Patient/999999/$everything",
            "/fhir/Patient/x1/$everything",
        ):
            with self.subTest(path=path):
                response = self.fhir("GET", path, user=self.alice.user)
                self.assertOutcome(response, 404, "not-found")

    def test_a_guardian_gets_their_dependants_record(self):
        self.alice.guardians.add(self.bob.user)
        bundle = self.everything(self.alice, user=self.bob.user)
        self.assertEqual(self.by_type(bundle)["Encounter"], [str(self.consultation.pk)])

    def test_the_read_is_logged_once_for_the_patient(self):
        RecordAccess.objects.all().delete()
        response = api_client(self.alice.user).get(f"/fhir/Patient/{self.alice.pk}/$everything")
        self.assertEqual(response.status_code, 200)
        access = RecordAccess.objects.get()
        self.assertEqual((access.patient, access.via), (self.alice, "fhir"))

    def test_staff_get_what_their_role_may_read(self):
        """A manager also sees what was entered in error; the front desk no clinical content."""
        manager = make_staff("manager")
        client = api_client()
        verified_login(client, manager)
        found = self.by_type(self.everything(self.alice, client=client))
        self.assertEqual(len(found["Encounter"]), 2)
        front_desk = make_staff("front_desk")
        client = api_client()
        verified_login(client, front_desk)
        found = self.by_type(self.everything(self.alice, client=client))
        self.assertFalse(CLINICAL & set(found), found)
        self.assertIn("Patient", found)

    def test_query_count_does_not_grow_with_the_record(self):
        client = api_client(self.alice.user)
        path = f"/fhir/Patient/{self.alice.pk}/$everything"
        client.get(path)  # warms the caches the directory keeps (schedules)
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(client.get(path).status_code, 200)
            counts.append(len(queries))
            for _ in range(3):
                consultation = self.consult(self.alice)
                self.prescribe(consultation, "Zinc")
                self.released_report(self.alice, "TSH")
        self.assertEqual(counts[0], counts[1])


class RecordsDownloadTests(ClinicalRecordMixin, FhirTestCase):
    def test_the_file_is_the_everything_bundle(self):
        self.client.force_login(self.alice.user)
        response = self.client.get(reverse("portal:records_download"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        self.assertRegex(
            response["Content-Disposition"],
            rf'^attachment; filename="health-record-{self.alice.record_number}-2030-01-07\.json"$',
        )
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(RecordAccess.objects.get().via, "fhir")
        downloaded = json.loads(response.content)
        served = self.get_ok(f"/fhir/Patient/{self.alice.pk}/$everything", client=self.client)
        self.assertEqual(downloaded, served)

    def test_the_profile_page_offers_the_download(self):
        self.client.force_login(self.alice.user)
        response = self.client.get(reverse("portal:profile"))
        self.assertContains(response, reverse("portal:records_download"))
        self.assertContains(response, "Download my records")

    def test_anonymous_visitors_go_to_the_login_page(self):
        response = self.client.get(reverse("portal:records_download"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("portal:login"), response["Location"])
