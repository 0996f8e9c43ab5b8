"""api-get-otp/, verify-otp/ and reset-password/ end to end, with time frozen."""

import json
import logging

from django.contrib.auth import authenticate
from django.core import mail
from django.test import override_settings
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.accounts.services import token_for
from clinic.notifications.models import OutgoingMessage
from clinic.notifications.tests.base import ALICE_E164, ALICE_PHONE, NotifyTestCase
from clinic.otp.models import OtpCode
from clinic.patients.models import Patient

NEW_PASSWORD = "Fresh-Mango-Lantern-42"


class OtpApiTestCase(NotifyTestCase):
    addresses_verified = False

    def call(self, method, path, body=None, client=None):
        client = client or APIClient()
        data = "" if body is None else json.dumps(body)
        return client.generic(
            method, f"/cms-api/{path}", data=data, content_type="application/json"
        )

    def send(self, body, method="POST"):
        with self.captureOnCommitCallbacks(execute=True):
            return self.call(method, "api-get-otp/", body)

    def verify(self, body):
        return self.call("POST", "verify-otp/", body)

    def assertError(self, response, status, fragment=""):
        self.assertEqual(response.status_code, status, response.content)
        self.assertIn(fragment, response.json()["ERR"])
        return response


class OtpSendTests(OtpApiTestCase):
    def test_it_sends_a_code_by_email_and_never_returns_it(self):
        """The code goes out by email; the answer is the seed's message without the code."""
        response = self.send({"email": "ALICE@example.com"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"MSG": "OTP Sent To The Registered Email."})
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.com"])
        code = self.email_code()
        self.assertNotIn(code, response.content.decode())
        self.assertIn(code, mail.outbox[0].alternatives[0][0])  # the HTML part too

    def test_it_keeps_the_code_out_of_the_database(self):
        """No column of the OTP or outbox rows holds the code in clear."""
        self.send({"email": "alice@example.com"})
        code = self.email_code()
        rows = list(OtpCode.objects.values()) + list(OutgoingMessage.objects.values())
        self.assertEqual(len(rows), 2)
        self.assertNotIn(code, repr(rows))
        self.assertEqual(len(OtpCode.objects.get().code_hash), 64)

    def test_it_sends_a_code_by_sms_to_the_e164_number(self):
        """{sms} sends to the patient's number in E.164, matched against the stored 10 digits."""
        response = self.send({"sms": "+91 98765 43210"})
        self.assertEqual(response.json(), {"MSG": "OTP Sent To The Registered Mobile Number."})
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertEqual(self.sms_outbox[0].to, ALICE_E164)
        self.assertNotIn(self.sms_code(), response.content.decode())
        self.assertEqual(mail.outbox, [])

    def test_email_wins_when_both_are_given(self):
        """With email and sms, the code goes by email, as the seed did."""
        response = self.send({"email": "alice@example.com", "sms": ALICE_PHONE})
        self.assertEqual(response.json()["MSG"], "OTP Sent To The Registered Email.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.sms_outbox, [])

    def test_get_takes_the_address_from_the_query_string(self):
        """GET with ?sms=... works for clients that cannot send a body with GET."""
        with self.captureOnCommitCallbacks(execute=True):
            response = APIClient().get(f"/cms-api/api-get-otp/?sms={ALICE_PHONE}")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(len(self.sms_outbox), 1)

    def test_it_answers_the_same_for_an_unknown_address(self):
        """An unregistered address gets the same status and body, and no message is sent."""
        known = self.send({"email": "alice@example.com"})
        unknown = self.send({"email": "nobody@example.com"})
        self.assertEqual((unknown.status_code, unknown.json()), (known.status_code, known.json()))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(OutgoingMessage.objects.count(), 1)
        # The same work was done: a throttle row exists for the unknown address too.
        self.assertEqual(OtpCode.objects.count(), 2)
        unknown_sms = self.send({"sms": "9123456789"})
        self.assertEqual(unknown_sms.json()["MSG"], "OTP Sent To The Registered Mobile Number.")
        self.assertEqual(self.sms_outbox, [])

    def test_it_rejects_malformed_addresses(self):
        """A malformed email or phone answers 400 naming the field, and changes nothing."""
        for body, field in [
            ({"email": "not-an-email"}, "email"),
            ({"email": "a@b@c.com"}, "email"),
            ({"sms": "12345"}, "sms"),
            ({"sms": "phone"}, "sms"),
            ({}, "email"),
            ({"email": "", "sms": ""}, "email"),
        ]:
            with self.subTest(body=body):
                self.assertError(self.send(body), 400, f"{field}:")
        self.assertError(self.send([1]), 400, "JSON object")
        self.assertEqual(OtpCode.objects.count(), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_enforces_a_cooldown_per_address(self):
        """A second send within the cooldown answers 429 with Retry-After, then works again."""
        self.send({"email": "alice@example.com"})
        self.travel(30)
        response = self.assertError(self.send({"email": "alice@example.com"}), 429, "Wait 30")
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(len(mail.outbox), 1)
        self.travel(31)
        self.assertEqual(self.send({"email": "alice@example.com"}).status_code, 200)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_cooldown_applies_to_unknown_addresses_too(self):
        """Throttling cannot tell registered addresses apart from unknown ones."""
        self.send({"email": "nobody@example.com"})
        self.assertError(self.send({"email": "nobody@example.com"}), 429)

    def test_it_caps_sends_per_address_per_hour(self):
        """After OTP_SENDS_PER_HOUR sends the address waits for the hour to pass."""
        for _ in range(5):
            self.assertEqual(self.send({"sms": ALICE_PHONE}).status_code, 200)
            self.travel(61)
        response = self.assertError(self.send({"sms": ALICE_PHONE}), 429, "Too many codes")
        self.assertEqual(int(response["Retry-After"]), 3600 - 5 * 61)
        self.assertEqual(len(self.sms_outbox), 5)
        self.travel(3600 - 5 * 61)
        self.assertEqual(self.send({"sms": ALICE_PHONE}).status_code, 200)

    def test_it_limits_requests_per_client(self):
        """One client asking for many addresses hits the per-client limit (a setting)."""
        rates = {"otp_client": "3/hour"}
        with override_settings(
            REST_FRAMEWORK={**self._rest_framework(), "DEFAULT_THROTTLE_RATES": rates}
        ):
            for n in range(3):
                self.assertEqual(self.send({"email": f"p{n}@example.com"}).status_code, 200)
            response = self.assertError(self.send({"email": "alice@example.com"}), 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(mail.outbox, [])

    def _rest_framework(self):
        from django.conf import settings

        return dict(settings.REST_FRAMEWORK)


class OtpVerifyTests(OtpApiTestCase):
    def issue(self, address=None):
        self.send(address or {"email": "alice@example.com"})
        return self.email_code() if "email" in (address or {"email": 1}) else self.sms_code()

    def test_it_verifies_a_code_and_marks_the_email_verified(self):
        """The right code answers OTP Verified with a reset token and sets email_verified."""
        code = self.issue()
        response = self.verify({"email": "alice@example.com", "otp": code})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["MSG"], "OTP Verified")
        self.assertTrue(response.json()["reset_token"])
        self.assertNotIn(code, response.content.decode())
        self.assertIs(Patient.objects.get(pk=self.alice.pk).email_verified, True)
        self.assertIs(Patient.objects.get(pk=self.alice.pk).phone_verified, False)

    def test_it_verifies_a_phone(self):
        """An SMS code sets phone_verified, whatever format the number is typed in."""
        code = self.issue({"sms": ALICE_PHONE})
        response = self.verify({"sms": "+919876543210", "otp": code})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIs(Patient.objects.get(pk=self.alice.pk).phone_verified, True)

    def test_a_code_works_once(self):
        """A used code is refused."""
        code = self.issue()
        self.assertEqual(self.verify({"email": "alice@example.com", "otp": code}).status_code, 200)
        self.assertError(self.verify({"email": "alice@example.com", "otp": code}), 400, "otp:")

    def test_a_code_expires(self):
        """After OTP_TTL_SECONDS the right code is refused."""
        code = self.issue()
        self.travel(10 * 60)
        self.assertError(self.verify({"email": "alice@example.com", "otp": code}), 400, "expired")
        self.assertIs(Patient.objects.get(pk=self.alice.pk).email_verified, False)

    def test_a_code_works_until_it_expires(self):
        """One second before expiry the code still works."""
        code = self.issue()
        self.travel(10 * 60 - 1)
        self.assertEqual(self.verify({"email": "alice@example.com", "otp": code}).status_code, 200)

    def test_it_locks_after_five_wrong_tries(self):
        """Five wrong codes, and the right one is refused with 429 until a new code is sent."""
        code = self.issue()
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(5):
            self.assertError(self.verify({"email": "alice@example.com", "otp": wrong}), 400)
        response = self.assertError(
            self.verify({"email": "alice@example.com", "otp": code}), 429, "Too many wrong"
        )
        self.assertIn("Retry-After", response)
        self.travel(61)
        new_code = self.issue()
        self.assertEqual(
            self.verify({"email": "alice@example.com", "otp": new_code}).status_code, 200
        )

    def test_a_new_code_replaces_the_old_one(self):
        """Only the newest code works."""
        old = self.issue()
        self.travel(61)
        new = self.issue()
        if old != new:
            self.assertError(self.verify({"email": "alice@example.com", "otp": old}), 400)
        self.assertEqual(self.verify({"email": "alice@example.com", "otp": new}).status_code, 200)

    def test_unknown_addresses_get_the_same_answers(self):
        """Wrong codes for an unknown address answer as for a real one, lock included."""
        self.issue()
        self.send({"email": "nobody@example.com"})
        known = self.verify({"email": "alice@example.com", "otp": "000000"})
        unknown = self.verify({"email": "nobody@example.com", "otp": "000000"})
        self.assertEqual((unknown.status_code, unknown.json()), (known.status_code, known.json()))
        for _ in range(4):
            self.verify({"email": "nobody@example.com", "otp": "000000"})
        self.assertError(self.verify({"email": "nobody@example.com", "otp": "123456"}), 429)

    def test_it_rejects_malformed_input(self):
        """Malformed codes and addresses answer 400 and count no attempt."""
        self.issue()
        for body, field in [
            ({"email": "alice@example.com", "otp": "12345"}, "otp"),
            ({"email": "alice@example.com", "otp": "abcdef"}, "otp"),
            ({"email": "alice@example.com"}, "otp"),
            ({"email": "bad", "otp": "123456"}, "email"),
            ({"sms": "1", "otp": "123456"}, "sms"),
        ]:
            with self.subTest(body=body):
                self.assertError(self.verify(body), 400, f"{field}")
        self.assertEqual(OtpCode.objects.get().attempts, 0)


class PasswordResetTests(OtpApiTestCase):
    def reset_token(self):
        self.send({"email": "alice@example.com"})
        response = self.verify({"email": "alice@example.com", "otp": self.email_code()})
        return response.json()["reset_token"]

    def reset(self, token, password=NEW_PASSWORD):
        return self.call("POST", "reset-password/", {"reset_token": token, "password": password})

    def test_it_resets_the_password_and_revokes_tokens(self):
        """The new password works, the old one does not, and old API tokens are gone."""
        old_token = token_for(user=self.alice.user)
        response = self.reset(self.reset_token())
        self.assertEqual(response.status_code, 200, response.content)
        self.assertNotIn(NEW_PASSWORD, response.content.decode())
        self.assertIsNotNone(authenticate(username="alice", password=NEW_PASSWORD))
        self.assertIsNone(authenticate(username="alice", password="Corr3ct-Horse-Battery"))
        self.assertFalse(AuthToken.objects.filter(digest=hash_token(old_token)).exists())
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {old_token}")
        self.assertEqual(client.get("/cms-api/patient/").status_code, 401)

    def test_it_ends_web_sessions(self):
        """A session logged in before the reset is logged out after it."""
        self.client.force_login(self.alice.user)
        self.assertIn("_auth_user_id", self.client.session)
        self.reset(self.reset_token())
        response = self.client.get("/cms-api/patient/")
        self.assertIn(response.status_code, (401, 403))

    def test_a_reset_token_works_once(self):
        """The second reset with the same token is refused."""
        token = self.reset_token()
        self.assertEqual(self.reset(token).status_code, 200)
        self.assertError(self.reset(token, "Another-Good-Pass-77"), 400, "reset_token")
        self.assertIsNotNone(authenticate(username="alice", password=NEW_PASSWORD))

    def test_a_reset_token_expires(self):
        """After RESET_TOKEN_TTL_SECONDS the token is refused."""
        token = self.reset_token()
        self.travel(15 * 60 + 1)
        self.assertError(self.reset(token), 400, "reset_token")

    def test_it_validates_the_new_password(self):
        """A weak password answers 400 and the old password keeps working."""
        token = self.reset_token()
        self.assertError(self.reset(token, "12345678"), 400, "password:")
        self.assertIsNotNone(authenticate(username="alice", password="Corr3ct-Horse-Battery"))
        self.assertEqual(self.reset(token).status_code, 200)  # the token was not used up

    def test_it_rejects_forged_tokens(self):
        """Garbage, another user's id and a tampered signature are all refused."""
        token = self.reset_token()
        uid, rest = token.split(":")
        forgeries = [
            "", "garbage", "1:2:3", f"{uid}:{rest[:-1]}x", f"zz:{rest}", "!!:1-2",
            f"{'z' * 13}:{rest}", f"0:{rest}", f"-1:{rest}",
        ]
        for forged in forgeries:
            with self.subTest(token=forged):
                self.assertError(self.reset(forged), 400)
        self.assertIsNone(authenticate(username="alice", password=NEW_PASSWORD))


class OtpSecrecyTests(OtpApiTestCase):
    def test_no_code_or_password_in_any_log_line(self):
        """Send, verify and reset log at DEBUG without the code or the new password."""
        with self.assertLogs(level=logging.DEBUG) as logs:
            self.send({"email": "alice@example.com"})
            self.send({"sms": ALICE_PHONE})
            email_code, sms_code = self.email_code(), self.sms_code()
            self.verify({"email": "alice@example.com", "otp": "000000"})
            token = self.verify({"email": "alice@example.com", "otp": email_code}).json()[
                "reset_token"
            ]
            self.call("POST", "reset-password/", {"reset_token": token, "password": NEW_PASSWORD})
        text = "\n".join(record.getMessage() for record in logs.records)
        self.assertIn("OTP issued", text)  # the capture did see our log lines
        for secret in (email_code, sms_code, NEW_PASSWORD, token):
            self.assertNotIn(secret, text)
        self.assertNotIn("alice@example.com", text)  # addresses are masked
