import re

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from clinic.notifications.backends import sms_locmem
from clinic.portal.tests.base import PortalTestCase

LOCMEM_SMS = "clinic.notifications.backends.sms_locmem.LocmemSmsBackend"


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


@override_settings(SMS_BACKEND=LOCMEM_SMS)
class VerifyTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        sms_locmem.outbox.clear()
        self.addCleanup(sms_locmem.outbox.clear)
        self.login()

    def url(self, channel):
        return reverse("portal:verify", args=[channel])

    def send(self, channel):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(channel), {"action": "send"}, follow=True)

    def check(self, channel, code):
        return self.client.post(self.url(channel), {"action": "check", "otp": code}, follow=True)

    def test_the_profile_says_what_is_not_verified_and_links_to_verify(self):
        response = self.client.get(reverse("portal:profile"))
        self.assertContains(response, 'data-unverified="email"')
        self.assertContains(response, 'data-unverified="sms"')
        self.assertContains(response, self.url("email"))
        self.assertContains(response, self.url("sms"))

    def test_an_emailed_code_verifies_the_email_address(self):
        page = self.send("email")
        self.assertContains(page, "A 6-digit code is on its way to alice@example.com.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.com"])
        code = code_in(mail.outbox[0].body)
        self.assertNotContains(page, code)
        done = self.check("email", code)
        self.assertRedirects(done, reverse("portal:profile"))
        self.assertContains(done, "Your email address is verified.")
        self.assertContains(done, 'data-verified="email"')
        self.alice.refresh_from_db()
        self.assertIs(self.alice.email_verified, True)
        self.assertIs(self.alice.phone_verified, False)

    def test_a_verification_code_cannot_reset_the_password(self):
        """Asked for as a verification, the code earns no reset token on the reset page."""
        self.send("email")
        code = code_in(mail.outbox[0].body)
        session = self.client.session
        session["portal_reset_address"] = {"channel": "email", "address": "alice@example.com"}
        session.save()
        response = self.client.post(reverse("portal:password_verify"), {"otp": code})
        self.assertNotIn("portal_reset_token", self.client.session)
        self.assertContains(response, "was not sent for a password reset")

    def test_a_texted_code_verifies_the_mobile_number(self):
        self.send("sms")
        self.assertEqual(len(sms_locmem.outbox), 1)
        done = self.check("sms", code_in(sms_locmem.outbox[0].body))
        self.assertContains(done, "Your mobile number is verified.")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.phone_verified, True)
        self.assertIs(self.alice.email_verified, False)

    def test_a_wrong_code_is_a_clean_error_and_verifies_nothing(self):
        self.send("email")
        code = code_in(mail.outbox[0].body)
        wrong = "000000" if code != "000000" else "111111"
        response = self.check("email", wrong)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The code is wrong or has expired.")
        self.assertNotContains(response, "otp:")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.email_verified, False)

    def test_a_code_is_needed_before_checking_one(self):
        response = self.check("email", "123456")
        self.assertContains(response, "Ask for a code first.")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.email_verified, False)

    def test_sends_are_throttled_with_a_message(self):
        self.send("email")
        again = self.send("email")
        self.assertContains(again, "A code was just sent.")
        self.assertEqual(len(mail.outbox), 1)

    def test_an_already_verified_address_goes_back_to_the_profile(self):
        self.alice.email_verified = True
        self.alice.save(update_fields=["email_verified"])
        response = self.client.get(self.url("email"), follow=True)
        self.assertRedirects(response, reverse("portal:profile"))
        self.assertContains(response, "already verified")

    def test_an_unknown_channel_is_a_404(self):
        self.assertEqual(self.client.get(self.url("fax")).status_code, 404)

    def test_it_needs_a_patients_login(self):
        self.client.logout()
        response = self.client.get(self.url("email"))
        self.assertRedirects(response, f"{reverse('portal:login')}?next={self.url('email')}")
