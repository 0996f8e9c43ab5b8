"""Issue 14: a patient could take another patient's phone number without verifying it,
and the owner's SMS password reset then silently stopped working."""

from rest_framework.test import APIClient

from clinic.api.tests.test_signup import seed_body
from clinic.notifications.tests.base import ALICE_E164, ALICE_PHONE
from clinic.otp.tests.test_api_otp import OtpApiTestCase
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_account_for_phone
from clinic.patients.services import patient_phone_mark_verified


class PhoneOwnershipTests(OtpApiTestCase):
    def sign_up_mallory_with(self, phone):
        body = seed_body(phone=phone, user={"username": "mallory", "email": "m@example.com"})
        response = APIClient().post("/cms-api/signup/", body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        return Patient.objects.get(user__username="mallory")

    def assertAliceCanResetBySms(self):
        self.assertEqual(self.send({"sms": ALICE_PHONE}).status_code, 200)
        self.assertEqual([m.to for m in self.sms_outbox], [ALICE_E164])
        response = self.verify({"sms": ALICE_PHONE, "otp": self.sms_code()})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIn("reset_token", response.json())

    def test_a_verified_owner_keeps_sms_reset_when_another_patient_types_the_number(self):
        Patient.objects.filter(pk=self.alice.pk).update(phone_verified=True)
        mallory = self.sign_up_mallory_with(ALICE_PHONE)
        self.assertIs(mallory.phone_verified, False)
        self.assertAliceCanResetBySms()

    def test_an_unverified_owner_keeps_it_too(self):
        """Nobody verified the number: the login that registered it first owns it."""
        self.sign_up_mallory_with(ALICE_PHONE)
        self.assertAliceCanResetBySms()

    def test_a_full_width_copy_takes_nothing_either(self):
        Patient.objects.filter(pk=self.alice.pk).update(phone_verified=True)
        self.sign_up_mallory_with("９８７６５４３２１０")
        self.assertAliceCanResetBySms()

    def test_the_latest_proof_of_ownership_moves_the_number(self):
        """A number that changed hands: verifying it takes the mark from the old holder."""
        Patient.objects.filter(pk=self.alice.pk).update(phone_verified=True)
        mallory = self.sign_up_mallory_with(ALICE_PHONE)
        patient_phone_mark_verified(patient=mallory)
        self.alice.refresh_from_db()
        self.assertIs(self.alice.phone_verified, False)
        self.assertEqual(patient_account_for_phone(phone=ALICE_E164), mallory.user)

    def test_records_without_a_login_never_own_a_number(self):
        """A child's record may share the guardian's phone; it gets no codes."""
        Patient.objects.filter(pk=self.alice.pk).update(user=None)
        self.assertIsNone(patient_account_for_phone(phone=ALICE_E164))
