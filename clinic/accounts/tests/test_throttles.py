import time_machine
from django.core.cache import cache
from django.test import TestCase, override_settings

from clinic.accounts import throttles
from clinic.core.errors import Throttled
from clinic.testing import FIXED_NOW, make_user

RATES = {"login_account": "2/minute", "login_client": "4/minute", "signup_client": "2/minute"}


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": RATES})
@time_machine.travel(FIXED_NOW, tick=False)
class LoginThrottleTests(TestCase):
    def setUp(self):
        cache.clear()
        make_user(username="dina", email="dina@example.com")

    def test_failures_lock_the_account_until_the_window_ends(self):
        """Two failures refuse the third attempt with Retry-After inside the window."""
        for _ in range(2):
            throttles.login_attempt_check(login="dina", client_ip="1.1.1.1")
            throttles.login_failure_record(login="dina", client_ip="1.1.1.1")
        with self.assertRaises(Throttled) as caught:
            throttles.login_attempt_check(login="DINA@example.com", client_ip="2.2.2.2")
        self.assertTrue(0 < caught.exception.retry_after <= 60)
        with time_machine.travel(FIXED_NOW.timestamp() + 61, tick=False):
            throttles.login_attempt_check(login="dina", client_ip="2.2.2.2")

    def test_unknown_logins_are_throttled_too(self):
        for _ in range(2):
            throttles.login_failure_record(login="ghost", client_ip="1.1.1.1")
        with self.assertRaises(Throttled):
            throttles.login_attempt_check(login="Ghost", client_ip="1.1.1.1")

    def test_success_clears_the_account(self):
        throttles.login_failure_record(login="dina", client_ip="1.1.1.1")
        throttles.login_failure_record(login="dina", client_ip="1.1.1.1")
        throttles.login_success(login="dina")
        throttles.login_attempt_check(login="dina", client_ip="1.1.1.1")

    def test_the_client_limit_counts_all_attempts(self):
        for _ in range(4):
            throttles.login_attempt_check(login="dina", client_ip="3.3.3.3")
        with self.assertRaises(Throttled):
            throttles.login_attempt_check(login="dina", client_ip="3.3.3.3")
        throttles.login_attempt_check(login="dina", client_ip="3.3.3.4")

    def test_signups_are_counted_per_client(self):
        throttles.signup_attempt_check(client_ip="5.5.5.5")
        throttles.signup_attempt_check(client_ip="5.5.5.5")
        with self.assertRaises(Throttled):
            throttles.signup_attempt_check(client_ip="5.5.5.5")
        throttles.signup_attempt_check(client_ip="5.5.5.6")

    def test_the_client_address_ignores_forwarded_headers_without_a_proxy(self):
        class Request:
            META = {"REMOTE_ADDR": "9.9.9.9", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}

        self.assertEqual(throttles.client_ip_of(Request()), "9.9.9.9")
        with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
            Request.META["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 7.7.7.7"
            self.assertEqual(throttles.client_ip_of(Request()), "7.7.7.7")
