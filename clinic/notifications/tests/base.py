"""Shared set-up for the OTP and notification tests: frozen time, in-memory SMS, clean cache."""

import re

import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from clinic.notifications.backends import sms_locmem
from clinic.patients.models import Patient
from clinic.testing import FIXED_NOW, BaseTestCase, make_patient

ALICE_PHONE = "9876543210"
ALICE_E164 = "+919876543210"
CODE = re.compile(r"\b(\d{6})\b")


def make_verified_patient(**extra) -> Patient:
    """A patient whose email and phone are verified, so messages reach them."""
    patient = make_patient(**extra)
    Patient.objects.filter(pk=patient.pk).update(email_verified=True, phone_verified=True)
    patient.refresh_from_db()
    return patient


@override_settings(
    SMS_BACKEND="clinic.notifications.backends.sms_locmem.LocmemSmsBackend",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
)
class NotifyTestCase(BaseTestCase):
    # Messages go to verified addresses only (test_verified_only.py): the cast's
    # addresses start verified unless a test case is about verifying them.
    addresses_verified = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Patient.objects.filter(pk__in=[cls.alice.pk, cls.bob.pk]).update(
            email_verified=cls.addresses_verified, phone_verified=cls.addresses_verified
        )
        Patient.objects.filter(pk=cls.alice.pk).update(phone=ALICE_PHONE)
        cls.bob.refresh_from_db()
        cls.alice.refresh_from_db()

    def setUp(self):
        super().setUp()
        cache.clear()
        sms_locmem.outbox.clear()
        self.addCleanup(sms_locmem.outbox.clear)
        self.traveller = time_machine.travel(FIXED_NOW, tick=False)
        self.clock = self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def travel(self, seconds: float) -> None:
        self.clock.shift(seconds)

    @property
    def sms_outbox(self):
        return sms_locmem.outbox

    def email_bodies(self) -> list[str]:
        out = []
        for message in mail.outbox:
            out.append(message.subject)
            out.append(message.body)
            out.extend(content for content, _ in message.alternatives)
        return out

    def email_code(self) -> str:
        """The code in the newest email."""
        self.assertTrue(mail.outbox, "no email was sent")
        return CODE.search(mail.outbox[-1].body).group(1)

    def sms_code(self) -> str:
        """The code in the newest SMS."""
        self.assertTrue(self.sms_outbox, "no SMS was sent")
        return CODE.search(self.sms_outbox[-1].body).group(1)
