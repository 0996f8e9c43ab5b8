"""A SMART app's bearer token on /fhir/: within its scopes, the patient's own records only."""

from django.test import Client

from clinic.smart.tests.test_portal import make_app, make_token
from clinic.testing import BaseTestCase, make_patient


class FhirBearerTests(BaseTestCase):
    def setUp(self):
        self.pat = make_patient(first_name="Ana")
        self.other = make_patient(first_name="Ben")
        self.app = make_app()
        make_token(user=self.pat.user, app=self.app, value="read-all", scope="patient/*.read")
        make_token(user=self.pat.user, app=self.app, value="book-only",
                   scope="patient/Appointment.write")

    def get(self, path, token):
        return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")

    def test_read_scope_reads_the_patients_own_record_only(self):
        own = self.get(f"/fhir/Patient/{self.pat.pk}", "read-all")
        self.assertEqual(own.status_code, 200)
        self.assertEqual(own.json()["id"], str(self.pat.pk))
        self.assertEqual(self.get(f"/fhir/Patient/{self.other.pk}", "read-all").status_code, 404)
        self.assertEqual(self.get(f"/fhir/Patient/{self.pat.pk}/$everything",
                                  "read-all").status_code, 200)

    def test_a_scope_that_does_not_name_the_type_is_a_403(self):
        answer = self.get(f"/fhir/Patient/{self.pat.pk}", "book-only")
        self.assertEqual(answer.status_code, 403)
        self.assertEqual(answer.json()["resourceType"], "OperationOutcome")
        booking = Client().post("/fhir/Appointment", "{}", content_type="application/fhir+json",
                                HTTP_AUTHORIZATION="Bearer read-all")
        self.assertEqual(booking.status_code, 403)

    def test_an_unknown_or_revoked_token_is_a_401(self):
        self.assertEqual(self.get(f"/fhir/Patient/{self.pat.pk}", "nonsense").status_code, 401)
        self.client.force_login(self.pat.user)
        self.client.post(f"/profile/apps/{self.app.pk}/revoke/")
        self.assertEqual(self.get(f"/fhir/Patient/{self.pat.pk}", "read-all").status_code, 401)
