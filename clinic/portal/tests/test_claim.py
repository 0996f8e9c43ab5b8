"""The portal's claim page: an invited record gets its login."""

import datetime as dt

from django.urls import reverse

from clinic.notifications.tests.base import NotifyTestCase
from clinic.patients.invitations import patient_invite
from clinic.patients.models import Patient
from clinic.patients.services import patient_create_record


class ClaimPageTests(NotifyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.meena = patient_create_record(
            actor=cls.staff,
            given_name="Meena",
            gender="Female",
            dob=dt.date(1958, 3, 9),
            phone="9876543219",
        )

    def form(self, code, **changes):
        return {
            "record_number": self.meena.record_number,
            "channel": "sms",
            "address": "9876543219",
            "code": code,
            "username": "meena",
            "email": "meena@example.com",
            "password": "Sturdy-Passw0rd-42",
            **changes,
        }

    def test_the_login_page_links_to_it(self):
        self.assertContains(self.client.get(reverse("portal:login")), reverse("portal:claim"))

    def test_a_right_code_creates_the_login_and_logs_in(self):
        with self.captureOnCommitCallbacks(execute=True):
            patient_invite(patient=self.meena, channel="sms", actor=self.staff)
        response = self.client.post(reverse("portal:claim"), self.form(self.sms_code()))
        self.assertRedirects(response, reverse("portal:dashboard"))
        self.meena.refresh_from_db()
        self.assertEqual(self.meena.user.email, "meena@example.com")
        self.assertEqual(self.client.get(reverse("portal:dashboard")).status_code, 200)

    def test_a_wrong_code_is_shown_on_the_form_and_changes_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            patient_invite(patient=self.meena, channel="sms", actor=self.staff)
        wrong = "000000" if self.sms_code() != "000000" else "111111"
        response = self.client.post(reverse("portal:claim"), self.form(wrong))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "code is wrong", status_code=400)
        self.assertIsNone(Patient.objects.get(pk=self.meena.pk).user)
