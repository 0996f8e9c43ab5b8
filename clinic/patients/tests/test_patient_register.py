import datetime as dt

import time_machine

from clinic.accounts.models import User
from clinic.core.errors import InvalidInput
from clinic.patients.models import Patient
from clinic.patients.services import patient_register, patient_update
from clinic.testing import FIXED_NOW, BaseTestCase

VALID = dict(
    email="New.Person@Example.com",
    password="Sturdy-Pass-2030",
    first_name="Nina",
    last_name="Nair",
    gender="Female",
    dob=dt.date(1992, 2, 29),
    address="4 Lake Road",
    phone="9876543210",
)


@time_machine.travel(FIXED_NOW, tick=False)
class PatientRegisterTests(BaseTestCase):
    def test_it_creates_user_and_profile(self):
        patient = patient_register(**VALID, username="nina")
        self.assertEqual(patient.user.username, "nina")
        self.assertEqual(patient.user.email, "new.person@example.com")
        self.assertIs(patient.user.check_password("Sturdy-Pass-2030"), True)
        self.assertEqual(patient.age, 37)

    def test_a_taken_or_missing_username_is_generated(self):
        taken = patient_register(**VALID, username="alice")
        self.assertNotEqual(taken.user.username, "alice")
        self.assertTrue(taken.user.username.startswith("nina"))
        other = patient_register(**{**VALID, "email": "other@example.com"})
        self.assertNotEqual(other.user.username, taken.user.username)

    def test_the_email_is_unique_whatever_its_case(self):
        with self.assertRaisesMessage(InvalidInput, "email"):
            patient_register(**{**VALID, "email": "ALICE@example.com"})
        self.assertFalse(User.objects.filter(first_name="Nina").exists())

    def test_it_validates_every_field_and_writes_nothing(self):
        cases = {
            "password": {"password": "123"},
            "phone": {"phone": "12345"},
            "gender": {"gender": "Unknown"},
            "dob": {"dob": dt.date(2031, 1, 1)},
            "email": {"email": "not-an-email"},
        }
        for field, change in cases.items():
            with self.subTest(field=field):
                with self.assertRaises(InvalidInput) as caught:
                    patient_register(**{**VALID, **change})
                self.assertIn(field, caught.exception.message)
        self.assertEqual(Patient.objects.count(), 2)
        self.assertEqual(User.objects.count(), 3)

    def test_update_changes_fields_and_resets_phone_verification(self):
        self.alice.phone_verified = True
        self.alice.save()
        patient_update(
            patient=self.alice, actor=self.alice.user, phone="9000000001", first_name="Al"
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.phone, "9000000001")
        self.assertIs(self.alice.phone_verified, False)
        self.assertEqual(self.alice.user.first_name, "Al")

    def test_update_refuses_bad_values_and_unknown_fields(self):
        with self.assertRaisesMessage(InvalidInput, "phone"):
            patient_update(patient=self.alice, actor=self.alice.user, phone="abc")
        with self.assertRaisesMessage(InvalidInput, "email_verified"):
            patient_update(patient=self.alice, actor=self.alice.user, email_verified=True)
        self.alice.refresh_from_db()
        self.assertNotEqual(self.alice.phone, "abc")
