"""Messages go only to addresses the patient has verified, except the code that verifies them.

An attacker who signs up with someone else's number (or a premium-rate one)
must not make the clinic send, and pay for, an SMS per booking.
"""

import datetime as dt

from django.core import mail

from clinic.appointments.services import appointment_book
from clinic.notifications.tests.base import ALICE_E164, ALICE_PHONE, CODE, NotifyTestCase
from clinic.otp.services import otp_issue, otp_verify
from clinic.patients.models import Patient
from clinic.testing import FIXED_NOW

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


class VerifiedOnlyTests(NotifyTestCase):
    addresses_verified = False

    def book(self, at=dt.time(9, 30)):
        with self.captureOnCommitCallbacks(execute=True):
            return appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=at)

    def test_an_unverified_patient_gets_no_email_and_no_sms(self):
        """A new account's booking sends nothing to its unverified addresses."""
        self.book()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(self.sms_outbox, [])

    def test_a_verified_email_alone_gets_email_only(self):
        Patient.objects.filter(pk=self.alice.pk).update(email_verified=True)
        self.alice.refresh_from_db()
        self.book()
        self.assertEqual([m.to for m in mail.outbox], [["alice@example.com"]])
        self.assertEqual(self.sms_outbox, [])

    def test_the_verifying_code_goes_to_an_unverified_phone_and_then_sms_flows(self):
        """The one exception: the code that verifies the number. After it, SMS are sent."""
        with self.captureOnCommitCallbacks(execute=True):
            otp_issue(channel="sms", address=ALICE_PHONE, client_key="test")
        self.assertEqual(len(self.sms_outbox), 1)
        code = CODE.search(self.sms_outbox[0].body).group(1)
        otp_verify(channel="sms", address=ALICE_PHONE, code=code)
        self.alice.refresh_from_db()
        self.assertIs(self.alice.phone_verified, True)
        self.sms_outbox.clear()
        self.book()
        self.assertEqual([m.to for m in self.sms_outbox], [ALICE_E164])
        self.assertEqual(mail.outbox, [])
