import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from clinic.notifications.backends import sms_locmem
from clinic.portal.tests.base import PortalTestCase

LOCMEM_SMS = "clinic.notifications.backends.sms_locmem.LocmemSmsBackend"
NEW_PASSWORD = "Fresh-Start-2030"


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


@override_settings(SMS_BACKEND=LOCMEM_SMS)
class PasswordResetTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        sms_locmem.outbox.clear()
        self.addCleanup(sms_locmem.outbox.clear)

    def ask(self, channel, address):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("portal:password_forgot"), {"channel": channel, "address": address}
            )

    def finish(self, code):
        verify = self.client.post(reverse("portal:password_verify"), {"otp": code})
        self.assertRedirects(verify, reverse("portal:password_new"))
        return self.client.post(
            reverse("portal:password_new"),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            follow=True,
        )

    def test_by_email_the_code_leads_to_a_new_password(self):
        response = self.ask("email", "ALICE@example.com")
        self.assertRedirects(response, reverse("portal:password_verify"))
        self.assertEqual(len(mail.outbox), 1)
        code = code_in(mail.outbox[0].body)
        page = self.client.get(reverse("portal:password_verify"))
        self.assertNotContains(page, code)
        done = self.finish(code)
        self.assertRedirects(done, reverse("portal:login"))
        self.assertContains(done, "Your password has been reset.")
        self.alice.user.refresh_from_db()
        self.assertIs(self.alice.user.check_password(NEW_PASSWORD), True)
        self.alice.refresh_from_db()
        self.assertIs(self.alice.email_verified, True)
        logged_in = self.client.post(
            reverse("portal:login"), {"login": "alice", "password": NEW_PASSWORD}
        )
        self.assertRedirects(logged_in, reverse("portal:dashboard"))

    def test_by_sms_the_code_leads_to_a_new_password(self):
        self.ask("sms", self.alice.phone_national)
        self.assertEqual(len(sms_locmem.outbox), 1)
        done = self.finish(code_in(sms_locmem.outbox[0].body))
        self.assertRedirects(done, reverse("portal:login"))
        self.alice.user.refresh_from_db()
        self.assertIs(self.alice.user.check_password(NEW_PASSWORD), True)

    def test_an_unknown_address_gets_the_same_answer_and_no_message(self):
        known = self.ask("email", "alice@example.com")
        self.client.session.flush()
        unknown = self.ask("email", "nobody@example.com")
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(known["Location"], unknown["Location"])
        self.assertEqual(len(mail.outbox), 1)
        page = self.client.get(reverse("portal:password_verify"))
        self.assertContains(page, "If an account has this email address")

    def test_a_malformed_address_is_a_field_error(self):
        response = self.ask("sms", "12")
        self.assertEqual(response.status_code, 200)
        self.assertIn("address", response.context["form"].errors)

    def test_a_wrong_code_is_refused_and_attempts_are_capped(self):
        self.ask("email", "alice@example.com")
        code = code_in(mail.outbox[0].body)
        wrong = "000000" if code != "000000" else "111111"
        response = self.client.post(reverse("portal:password_verify"), {"otp": wrong})
        self.assertEqual(response.status_code, 200)
        self.assertIn("otp", response.context["form"].errors)
        # The words only: the API's "otp: " prefix never reaches the patient.
        self.assertEqual(
            response.context["form"].errors["otp"],
            ["The code is wrong or has expired. Request a new code."],
        )
        self.assertNotContains(response, "otp:")
        for _ in range(10):
            response = self.client.post(reverse("portal:password_verify"), {"otp": wrong})
        self.assertEqual(response.status_code, 429)
        # Locked: even the right code no longer works.
        response = self.client.post(reverse("portal:password_verify"), {"otp": code})
        self.assertNotEqual(response.status_code, 302)
        self.alice.user.refresh_from_db()
        self.assertIs(self.alice.user.check_password(NEW_PASSWORD), False)

    def test_sends_are_throttled_per_address(self):
        self.ask("email", "alice@example.com")
        response = self.ask("email", "alice@example.com")  # within the cooldown
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_later_steps_need_the_earlier_ones(self):
        self.assertRedirects(
            self.client.get(reverse("portal:password_verify")), reverse("portal:password_forgot")
        )
        self.assertRedirects(
            self.client.get(reverse("portal:password_new")), reverse("portal:password_forgot")
        )

    def test_mismatched_or_weak_new_passwords_are_refused(self):
        self.ask("email", "alice@example.com")
        code = code_in(mail.outbox[0].body)
        self.client.post(reverse("portal:password_verify"), {"otp": code})
        url = reverse("portal:password_new")
        mismatch = self.client.post(url, {"password1": NEW_PASSWORD, "password2": "other"})
        self.assertIn("password2", mismatch.context["form"].errors)
        weak = self.client.post(url, {"password1": "12345678", "password2": "12345678"})
        self.assertIn("password1", weak.context["form"].errors)
        self.assertNotIn(SESSION_KEY, self.client.session)
        done = self.client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertRedirects(done, reverse("portal:login"))
