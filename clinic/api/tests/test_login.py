from django.test import override_settings
from knox.crypto import hash_token
from knox.models import AuthToken

from clinic.api.tests.base import ApiTestCase
from clinic.testing import PASSWORD

URL = "/cms-api/login/"
RATES = {
    "login_account": "3/hour",
    "login_client": "1000/hour",
    "signup_client": "1000/hour",
    "otp_client": "200/hour",
}


def rest_framework_with(**rates):
    from django.conf import settings

    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**RATES, **rates},
    }


class LoginTests(ApiTestCase):
    def login(self, username, password=PASSWORD, **extra):
        return self.call("POST", URL, {"username": username, "password": password}, **extra)

    def test_it_returns_a_token_stored_only_as_a_digest(self):
        """The right password answers {"token": ...}; the database holds its SHA-512 only."""
        response = self.login("alice")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(list(response.json()), ["token"])
        token = response.json()["token"]
        stored = AuthToken.objects.get(user=self.alice.user)
        self.assertEqual(stored.digest, hash_token(token))
        self.assertNotIn(token, {stored.digest, stored.token_key})
        self.assertIsNotNone(stored.expiry)

    def test_each_login_is_a_new_device_token(self):
        first, second = self.login("alice").json()["token"], self.login("alice").json()["token"]
        self.assertNotEqual(first, second)
        self.assertEqual(AuthToken.objects.filter(user=self.alice.user).count(), 2)

    def test_it_accepts_the_email_as_username(self):
        response = self.login("ALICE@example.com")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(AuthToken.objects.filter(user=self.alice.user).count(), 1)

    def test_the_token_authenticates(self):
        token = self.login("alice").json()["token"]
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(client.get("/cms-api/patient/").json()["user"]["username"], "alice")

    def test_it_refuses_a_wrong_password(self):
        response = self.login("alice", "wrong-password")
        self.assertError(response, 400, "Unable to log in")
        self.assertIs(AuthToken.objects.filter(user=self.alice.user).exists(), False)

    def test_it_refuses_an_inactive_account(self):
        self.alice.user.is_active = False
        self.alice.user.save()
        self.assertError(self.login("alice"), 400, "Unable to log in")

    def test_it_names_missing_fields(self):
        self.assertError(self.call("POST", URL, {"username": "alice"}), 400, "password")
        self.assertError(self.call("POST", URL, {"password": "x"}), 400, "username")
        self.assertError(self.call("POST", URL, {"username": ["a"], "password": "x"}), 400,
                         "username")
        self.assertError(self.call("POST", URL, raw="{nope"), 400, "Malformed")
        self.assertError(self.call("GET", URL), 405)

    def test_no_response_contains_a_password(self):
        for response in (self.login("alice"), self.login("alice", "bad")):
            self.assertNoSecrets(response)

    @override_settings(REST_FRAMEWORK=rest_framework_with())
    def test_repeated_failures_lock_the_account_with_429(self):
        """After 3 failures even the right password is refused, with Retry-After, from any IP."""
        for _ in range(3):
            self.assertError(self.login("alice", "bad", REMOTE_ADDR="10.0.0.1"), 400)
        response = self.login("alice", REMOTE_ADDR="10.0.0.2")
        self.assertError(response, 429, "Too many")
        self.assertGreater(int(response["Retry-After"]), 0)
        # The email is the same account.
        self.assertError(self.login("alice@example.com", REMOTE_ADDR="10.0.0.3"), 429)
        # Other accounts are unaffected.
        self.assertEqual(self.login("bob", REMOTE_ADDR="10.0.0.1").status_code, 200)

    @override_settings(REST_FRAMEWORK=rest_framework_with())
    def test_a_success_forgives_earlier_failures(self):
        for _ in range(2):
            self.login("alice", "bad")
        self.assertEqual(self.login("alice").status_code, 200)
        for _ in range(2):
            self.login("alice", "bad")
        self.assertEqual(self.login("alice").status_code, 200)

    @override_settings(REST_FRAMEWORK=rest_framework_with(login_client="5/hour"))
    def test_the_client_limit_counts_every_attempt(self):
        for _ in range(5):
            self.assertEqual(self.login("bob", REMOTE_ADDR="10.9.9.9").status_code, 200)
        self.assertError(self.login("alice", REMOTE_ADDR="10.9.9.9"), 429)
        self.assertEqual(self.login("alice", REMOTE_ADDR="10.9.9.8").status_code, 200)

    def test_a_front_desk_can_log_in_many_patients(self):
        """With the default rates, 150 logins from one address all succeed."""
        for _ in range(150):
            response = self.login("bob", REMOTE_ADDR="10.1.1.1")
            self.assertEqual(response.status_code, 200)


class LogoutTests(ApiTestCase):
    def test_it_revokes_the_token(self):
        from rest_framework.test import APIClient

        token = self.call("POST", URL, {"username": "alice", "password": PASSWORD}).json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/cms-api/logout/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"MSG": "Logged Out"})
        self.assertIs(AuthToken.objects.filter(digest=hash_token(token)).exists(), False)
        self.assertError(client.get("/cms-api/patient/"), 401)

    def test_it_needs_a_token(self):
        self.assertError(self.call("POST", "/cms-api/logout/"), 401)
