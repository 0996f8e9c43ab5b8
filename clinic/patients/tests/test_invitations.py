"""A record without a login is invited by email or SMS and claimed with the code."""

import datetime as dt

from django.contrib.auth import authenticate
from django.core import mail

from clinic.core.errors import InvalidInput, Throttled
from clinic.core.models import AuditEvent
from clinic.notifications.tests.base import NotifyTestCase
from clinic.patients.invitations import patient_claim, patient_invite
from clinic.patients.models import Patient
from clinic.patients.services import patient_create_record

PASSWORD = "Sturdy-Passw0rd-42"


class InvitationTests(NotifyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.meena = patient_create_record(
            actor=cls.staff,
            given_name="Meena",
            family_name="Pillai",
            gender="Female",
            dob=dt.date(1958, 3, 9),
            phone="9876543219",
            email="meena@example.com",
        )

    def invite(self, channel="email", patient=None):
        with self.captureOnCommitCallbacks(execute=True):
            patient_invite(patient=patient or self.meena, channel=channel, actor=self.staff)

    def claim(self, code, **changes):
        data = {
            "record_number": self.meena.record_number,
            "channel": "email",
            "address": "meena@example.com",
            "code": code,
            "username": "meena",
            "password": PASSWORD,
            **changes,
        }
        return patient_claim(**data)

    def test_an_email_invitation_claims_the_record(self):
        self.invite()
        self.assertEqual(mail.outbox[-1].to, ["meena@example.com"])
        user = self.claim(self.email_code())
        self.meena.refresh_from_db()
        self.assertEqual(self.meena.user, user)
        self.assertIs(self.meena.email_verified, True)
        self.assertEqual((user.email, user.first_name), ("meena@example.com", "Meena"))
        self.assertEqual(authenticate(username="meena", password=PASSWORD), user)
        self.assertTrue(AuditEvent.objects.filter(action="patient.claimed").exists())

    def test_an_sms_invitation_verifies_the_phone(self):
        self.invite("sms")
        self.assertEqual([m.to for m in self.sms_outbox], ["+919876543219"])
        self.claim(self.sms_code(), channel="sms", address="98765 43219")
        self.meena.refresh_from_db()
        self.assertIs(self.meena.phone_verified, True)
        self.assertEqual(self.meena.user.username, "meena")

    def test_a_code_works_once(self):
        self.invite()
        code = self.email_code()
        self.claim(code)
        with self.assertRaisesMessage(InvalidInput, "code is wrong"):
            self.claim(code, username="meena2")

    def test_wrong_input_changes_nothing(self):
        """A wrong code, record or address, or a bad username or password: no login, no link."""
        self.invite()
        code = self.email_code()
        wrong = "000000" if code != "000000" else "111111"
        cases = [
            ({"code": wrong}, "otp"),
            ({"code": "12"}, "otp"),
            ({"record_number": "CMS-999999"}, "otp"),
            ({"record_number": self.alice.record_number}, "otp"),
            ({"address": "other@example.com"}, "otp"),
            ({"channel": "fax"}, "channel"),
            ({"username": "alice"}, "username"),
            ({"username": ""}, "username"),
            ({"password": "123"}, "password"),
        ]
        users = self.meena.__class__.objects.filter(user__isnull=False).count()
        for changes, field in cases:
            with self.subTest(field=field, changes=changes), self.assertRaises(InvalidInput) as c:
                self.claim(changes.pop("code", code), **changes)
            self.assertTrue(c.exception.message.startswith(f"{field}: "), c.exception.message)
        self.meena.refresh_from_db()
        self.assertIsNone(self.meena.user)
        self.assertEqual(Patient.objects.filter(user__isnull=False).count(), users)
        self.claim(code)  # the right answer still works after all that

    def test_too_many_wrong_codes_lock_the_invitation(self):
        self.invite()
        code = self.email_code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            with self.assertRaises(InvalidInput):
                self.claim(wrong)
        with self.assertRaises(Throttled):
            self.claim(code)

    def test_only_records_without_a_login_and_with_an_address_are_invited(self):
        with self.assertRaisesMessage(InvalidInput, "already has a portal login"):
            patient_invite(patient=self.alice, channel="email", actor=self.staff)
        walk_in = patient_create_record(
            actor=self.staff, given_name="Ravi", gender="Male", dob=dt.date(1970, 1, 1)
        )
        for channel in ["email", "sms"]:
            with self.subTest(channel=channel), self.assertRaises(InvalidInput):
                patient_invite(patient=walk_in, channel=channel, actor=self.staff)
        self.assertEqual((mail.outbox, self.sms_outbox), ([], []))

    def test_a_password_reset_of_the_same_address_is_not_disturbed(self):
        """The invitation's code lives on its own row, not on the address's reset row."""
        self.invite()
        invite_code = self.email_code()
        with self.captureOnCommitCallbacks(execute=True):
            from rest_framework.test import APIClient

            APIClient().post("/cms-api/api-get-otp/", {"email": "alice@example.com"}, format="json")
        self.claim(invite_code)
