"""A code knows what it was asked for, and code checks are limited per client.

Only a code asked for a password reset earns a reset token; a verification
code verifies the address and nothing more. One client cannot try codes
against many addresses without limit.
"""

from django.conf import settings
from django.test import override_settings

from clinic.notifications.tests.base import ALICE_PHONE
from clinic.otp.tests.test_api_otp import OtpApiTestCase
from clinic.patients.models import Patient


def _rates(**rates):
    all_rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": all_rates}
    )


class OtpPurposeTests(OtpApiTestCase):
    def test_a_reset_code_returns_a_reset_token(self):
        """The seed's flow: api-get-otp/ then verify-otp/ answers with a reset_token."""
        self.send({"email": "alice@example.com"})
        response = self.verify({"email": "alice@example.com", "otp": self.email_code()})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["MSG"], "OTP Verified")
        self.assertTrue(response.json()["reset_token"])

    def test_a_verification_code_returns_no_reset_token(self):
        """purpose=verify: the address is verified, but no password can be reset with it."""
        self.send({"sms": ALICE_PHONE, "purpose": "verify"})
        response = self.verify({"sms": ALICE_PHONE, "otp": self.sms_code()})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"MSG": "OTP Verified"})
        self.assertIs(Patient.objects.get(pk=self.alice.pk).phone_verified, True)

    def test_an_unknown_purpose_is_refused(self):
        response = self.send({"email": "alice@example.com", "purpose": "admin"})
        self.assertError(response, 400, "purpose")

    def test_code_checks_are_limited_per_client(self):
        """Wrong codes spread over many addresses from one client end in 429."""
        with _rates(otp_verify_client="5/hour"):
            for n in range(5):
                response = self.verify({"email": f"p{n}@example.com", "otp": "123456"})
                self.assertError(response, 400, "otp")
            response = self.assertError(
                self.verify({"email": "p9@example.com", "otp": "123456"}), 429
            )
        self.assertGreater(int(response["Retry-After"]), 0)

    def test_the_client_limit_also_stops_a_right_code(self):
        """Over the limit, even the right code is not checked: nothing to learn from it."""
        self.send({"email": "alice@example.com"})
        code = self.email_code()
        with _rates(otp_verify_client="2/hour"):
            for _ in range(2):
                self.verify({"email": "nobody@example.com", "otp": "123456"})
            self.assertError(self.verify({"email": "alice@example.com", "otp": code}), 429)
        self.assertIs(Patient.objects.get(pk=self.alice.pk).email_verified, False)
