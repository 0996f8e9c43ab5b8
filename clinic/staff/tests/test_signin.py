"""The staff sign-in at /clinic/login/: password, then the authenticator's code."""

import datetime as dt
import re

import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.models import AuditEvent
from clinic.staff.roles import Role
from clinic.staff.signin import MAX_CODE_TRIES, PENDING_KEY
from clinic.testing import (
    FIXED_NOW,
    PASSWORD,
    BaseTestCase,
    make_staff,
    totp_now,
)

LOGIN = reverse("workspace:login")
CODE = reverse("workspace:login_verify")
SETUP = reverse("workspace:login_setup")
HOME = reverse("workspace:home")


class SigninTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        traveller = time_machine.travel(FIXED_NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        cache.clear()
        self.addCleanup(cache.clear)
        self.nurse = make_staff(Role.FRONT_DESK, username="nurse")

    def password(self, client=None, login="nurse", password=PASSWORD, **extra):
        return (client or self.client).post(LOGIN, {"login": login, "password": password, **extra})

    def device(self, user=None):
        return TOTPDevice.objects.create(user=user or self.nurse, name="phone", confirmed=True)

    def signed_in(self, client=None) -> bool:
        session = (client or self.client).session
        return "_auth_user_id" in session and DEVICE_ID_SESSION_KEY in session


class FirstSigninTests(SigninTestCase):
    def test_a_new_account_sets_up_its_authenticator_then_is_signed_in(self):
        """Password → setup page with a QR code drawn here and the typed-in key → first code."""
        response = self.password()
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        self.assertIs(self.signed_in(), False)
        page = self.client.get(SETUP)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "<svg")
        self.assertContains(page, 'role="img"')
        device = TOTPDevice.objects.get(user=self.nurse)
        self.assertIs(device.confirmed, False)
        # The same secret on a reload: the QR code scanned a moment ago stays valid.
        self.client.get(SETUP)
        self.assertEqual(TOTPDevice.objects.filter(user=self.nurse).count(), 1)
        response = self.client.post(SETUP, {"code": totp_now(device)})
        self.assertRedirects(response, HOME, fetch_redirect_response=False)
        self.assertIs(self.signed_in(), True)
        device.refresh_from_db()
        self.assertIs(device.confirmed, True)
        set_up = AuditEvent.objects.filter(action="staff.second_factor_set_up", actor=self.nurse)
        self.assertIs(set_up.exists(), True)

    def test_a_wrong_first_code_confirms_nothing(self):
        self.password()
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.nurse)
        wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
        response = self.client.post(SETUP, {"code": wrong})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "That code is not right", status_code=400)
        device.refresh_from_db()
        self.assertIs(device.confirmed, False)
        self.assertIs(self.signed_in(), False)

    def test_the_code_pages_need_the_password_first(self):
        for url in (SETUP, CODE):
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), LOGIN, fetch_redirect_response=False)


class CodeTests(SigninTestCase):
    def test_an_account_with_an_authenticator_enters_its_code(self):
        device = self.device()
        response = self.password(next="/clinic/?stay=1")
        self.assertRedirects(response, CODE, fetch_redirect_response=False)
        response = self.client.post(CODE, {"code": totp_now(device)})
        self.assertRedirects(response, "/clinic/?stay=1", fetch_redirect_response=False)
        self.assertIs(self.signed_in(), True)
        self.assertEqual(self.client.get("/clinic/?stay=1").status_code, 200)

    def test_a_code_works_once(self):
        """The same code cannot sign in a second session (django-otp keeps the last step)."""
        device = self.device()
        code = totp_now(device)
        self.password()
        self.client.post(CODE, {"code": code})
        other = Client()
        self.password(other)
        response = other.post(CODE, {"code": code})
        self.assertEqual(response.status_code, 400)
        self.assertIs(self.signed_in(other), False)

    def test_garbage_codes_are_a_form_error(self):
        self.device()
        self.password()
        for code in ("", "12345", "abcdef", "１２３４５６", "1234567"):
            with self.subTest(code=code):
                response = self.client.post(CODE, {"code": code})
                self.assertEqual(response.status_code, 400)
                self.assertIs(self.signed_in(), False)

    def test_too_many_wrong_codes_ask_for_the_password_again(self):
        """Five wrong codes end the half-done sign-in; guessing continues only through
        the password, which axes counts."""
        device = self.device()
        self.password()
        right = totp_now(device)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for n in range(MAX_CODE_TRIES):
            # Past the device's own back-off (1, 2, 4, 8 s) before each try.
            with time_machine.travel(FIXED_NOW + dt.timedelta(seconds=20 * (n + 1)), tick=False):
                response = self.client.post(CODE, {"code": wrong})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertNotIn(PENDING_KEY, self.client.session)
        response = self.client.post(CODE, {"code": right})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertIs(self.signed_in(), False)

    def test_the_device_backs_off_after_a_wrong_code(self):
        """Right after a wrong code even the right one waits (django-otp's throttle)."""
        device = self.device()
        self.password()
        wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
        self.client.post(CODE, {"code": wrong})
        response = self.client.post(CODE, {"code": totp_now(device)})
        self.assertContains(response, "Wait a minute", status_code=400)
        self.assertIs(self.signed_in(), False)

    @override_settings(STAFF_SIGNIN_STEP_SECONDS=300)
    def test_the_code_step_expires(self):
        device = self.device()
        self.password()
        with time_machine.travel(FIXED_NOW + dt.timedelta(seconds=301), tick=False):
            response = self.client.post(CODE, {"code": totp_now(device)})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertIs(self.signed_in(), False)


class PasswordStepTests(SigninTestCase):
    def test_a_wrong_password_is_refused_without_saying_which_part(self):
        response = self.password(password="wrong")
        self.assertContains(response, "Unable to log in", status_code=400)
        self.assertNotIn(PENDING_KEY, self.client.session)

    def test_a_patient_account_is_refused(self):
        response = self.password(login="alice")
        self.assertContains(response, "for clinic staff", status_code=400)
        self.assertNotIn(PENDING_KEY, self.client.session)

    def test_a_deactivated_account_is_refused(self):
        self.nurse.is_active = False
        self.nurse.save()
        response = self.password()
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(PENDING_KEY, self.client.session)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_the_password_step_is_limited_by_axes(self):
        """The staff sign-in counts wrong passwords like every login form."""
        client = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(3):
            self.password(client, password="wrong")
        response = self.password(client)
        self.assertEqual(response.status_code, 429)
        self.assertTrue(response.has_header("Retry-After"))
        self.assertNotIn(PENDING_KEY, client.session)

    def test_no_password_or_code_is_echoed(self):
        device = self.device()
        response = self.password(password="Secret-Typo-99")
        self.assertNotContains(response, "Secret-Typo-99", status_code=400)
        self.password()
        code = totp_now(device)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        response = self.client.post(CODE, {"code": wrong})
        self.assertNotContains(response, wrong, status_code=400)

    def test_an_open_redirect_is_ignored(self):
        device = self.device()
        self.password(next="https://evil.example/")
        response = self.client.post(CODE, {"code": totp_now(device)})
        self.assertRedirects(response, HOME, fetch_redirect_response=False)


class SignoutTests(SigninTestCase):
    def test_signing_out_ends_the_session(self):
        device = self.device()
        self.password()
        self.client.post(CODE, {"code": totp_now(device)})
        response = self.client.post(reverse("workspace:logout"))
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertIs(self.signed_in(), False)

    def test_the_login_page_has_no_inline_script(self):
        page = self.client.get(LOGIN).content.decode()
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page), [])
        self.assertNotIn("style=", page)
