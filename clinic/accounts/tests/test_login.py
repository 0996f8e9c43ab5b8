"""The throttled login (clinic.accounts.login), as every login form runs it.

Wrong passwords lock an account for the client that tried them (django-axes,
in the database); the account has a higher ceiling from all clients together;
every attempt counts against a generous per-client limit.
"""

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.api.tests.base import ApiTestCase
from clinic.testing import PASSWORD, totp_now

URL = "/cms-api/login/"
LIMIT = 10  # wrong passwords per account and client (AXES_FAILURE_LIMIT)


def _rates(**rates):
    all_rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": all_rates}
    )


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
class AccountLoginTests(ApiTestCase):
    def login(self, username, password=PASSWORD, ip="10.0.0.1"):
        body = {"username": username, "password": password}
        return self.call("POST", URL, body, REMOTE_ADDR=ip)

    def test_ten_failures_from_one_client_do_not_lock_the_owner_out(self):
        """An attacker's ten wrong passwords lock that attacker, not the owner elsewhere."""
        for _ in range(LIMIT):
            self.login("alice", "wrong", ip="203.0.113.9")
        response = self.login("alice", ip="203.0.113.9")
        self.assertError(response, 429, "Too many login attempts")
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(self.login("alice", ip="198.51.100.7").status_code, 200)

    def test_a_client_without_a_usable_address_still_gets_an_answer(self):
        """Axes keeps addresses in an inet column on PostgreSQL: garbage must not reach it."""
        self.assertEqual(self.login("alice", ip="").status_code, 200)
        self.assertError(self.login("alice", "wrong", ip="not-an-address"), 400, "Unable to log in")
        with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
            response = self.call(
                "POST", URL, {"username": "alice", "password": "wrong"},
                REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2, given_name",
            )
        self.assertError(response, 400, "Unable to log in")

    def test_the_lock_holds_for_the_username_the_email_and_full_width_forms(self):
        for login in ["alice", "ALICE", "alice@example.com", "ａｌｉｃｅ"] * 3:
            self.login(login, "wrong")
        for login in ("alice", "Alice@Example.com", "ＡＬＩＣＥ"):
            with self.subTest(login=login):
                self.assertError(self.login(login), 429)

    def test_the_lock_answers_429_with_retry_after_even_for_the_right_password(self):
        for _ in range(LIMIT - 1):
            self.assertError(self.login("alice", "wrong"), 400, "Unable to log in")
        # The tenth wrong password is checked, and locks.
        response = self.login("alice", "wrong")
        self.assertError(response, 429)
        self.assertIn("Retry-After", response)
        self.assertError(self.login("alice"), 429)

    @_rates(login_account="5/hour")
    def test_the_account_has_a_ceiling_from_all_clients_together(self):
        """Many addresses cannot guess without end: the per-account ceiling stops them."""
        for n in range(5):
            self.assertError(self.login("alice", "wrong", ip=f"192.0.2.{n}"), 400)
        response = self.login("alice", ip="192.0.2.99")
        self.assertError(response, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(self.login("bob", ip="192.0.2.99").status_code, 200)

    def test_a_good_login_forgives_that_clients_failures(self):
        for _ in range(LIMIT - 1):
            self.login("alice", "wrong")
        self.assertEqual(self.login("alice").status_code, 200)
        for _ in range(LIMIT - 1):
            self.login("alice", "wrong")
        self.assertEqual(self.login("alice").status_code, 200)

    @_rates(login_client="4/hour")
    def test_the_client_limit_counts_every_attempt(self):
        for _ in range(4):
            self.assertEqual(self.login("bob", ip="10.9.9.9").status_code, 200)
        self.assertError(self.login("alice", ip="10.9.9.9"), 429)
        self.assertEqual(self.login("alice", ip="10.9.9.8").status_code, 200)

    def test_a_front_desk_logs_in_hundreds_of_patients_from_one_address(self):
        """The default client limit lets 200 logins (and a few typos) through one IP."""
        for n in range(200):
            password = "typo" if n % 50 == 0 else PASSWORD
            response = self.login("bob", password, ip="10.1.1.1")
            self.assertEqual(response.status_code, 400 if password == "typo" else 200)


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
class AdminLoginTests(ApiTestCase):
    def test_the_admin_login_is_limited_too(self):
        """/admin/ had no limit at all: now ten wrong passwords lock it for that client."""
        client = Client(REMOTE_ADDR="203.0.113.5")
        url = reverse("admin:login")
        for _ in range(LIMIT):
            client.post(url, {"username": "staff", "password": "wrong"})
        response = client.post(url, {"username": "staff", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many login attempts", status_code=429)
        self.assertNotIn("_auth_user_id", client.session)
        # The staff member's own desk is not locked out (the admin also asks for the code
        # of the superuser's authenticator, clinic.staff.admin_site).
        device = TOTPDevice.objects.create(user=self.staff, name="phone", confirmed=True)
        other = Client(REMOTE_ADDR="198.51.100.5")
        response = other.post(
            url, {"username": "staff", "password": PASSWORD, "otp_token": totp_now(device)}
        )
        self.assertEqual(response.status_code, 302)
