"""A changed email or phone is unproven: every way staff change one clears its flag.

The rule lives in clinic.patients.services (patient_contacts_unverify_changed and
patient_login_email_changed); the patients and accounts admins call it on save.
"""

import time_machine

from clinic.core.tests.admin_cases import AdminTestCase
from clinic.patients.models import Patient
from clinic.patients.services import patient_contacts_unverify_changed
from clinic.testing import FIXED_NOW, make_patient

PATIENTS = "/admin/patients/patient/"
USERS = "/admin/accounts/user/"


def patient_form(patient, **overrides) -> dict:
    data = {
        "user": patient.user_id or "",
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "email": patient.email,
        "gender": patient.gender,
        "dob": patient.dob.isoformat(),
        "address": patient.address,
        "phone": str(patient.phone or ""),
        "email_verified": "on" if patient.email_verified else "",
        "phone_verified": "on" if patient.phone_verified else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def user_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return data


@time_machine.travel(FIXED_NOW, tick=False)
class AdminContactChangeTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        for patient in (self.alice, self.bob):
            patient.email_verified = patient.phone_verified = True
            patient.save()

    def post_patient(self, patient, **overrides):
        response = self.client.post(
            f"{PATIENTS}{patient.pk}/change/", patient_form(patient, **overrides)
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None)
                         and response.context["adminform"].form.errors)
        patient.refresh_from_db()

    def test_a_new_phone_in_the_patient_admin_clears_only_phone_verified(self):
        self.post_patient(self.alice, phone="9000011111")
        self.assertEqual((self.alice.phone_verified, self.alice.email_verified), (False, True))

    def test_a_new_phone_clears_the_flag_even_if_the_form_still_says_verified(self):
        """The tick box was ticked for the old number, not the new one."""
        self.post_patient(self.alice, phone="9000011111", phone_verified="on")
        self.assertFalse(self.alice.phone_verified)

    def test_taking_a_number_another_patient_verified_is_not_an_error(self):
        """Unverified, the second holder does not collide with the verified owner."""
        self.post_patient(self.alice, phone=str(self.bob.phone))
        self.assertEqual((self.alice.phone, self.alice.phone_verified), (self.bob.phone, False))
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.phone_verified)

    def test_a_new_record_email_clears_email_verified_for_a_patient_without_login(self):
        walk_in = make_patient(first_name="Walk")
        walk_in.user.delete()
        walk_in.refresh_from_db()
        Patient.objects.filter(pk=walk_in.pk).update(
            email="walk@example.com", email_verified=True, phone_verified=True
        )
        walk_in.refresh_from_db()
        self.post_patient(walk_in, email="other@example.com", email_verified="on")
        self.assertEqual((walk_in.email_verified, walk_in.phone_verified), (False, True))

    def test_unchanged_contacts_keep_their_flags(self):
        self.post_patient(self.alice, address="9 Other Road")
        self.assertEqual((self.alice.phone_verified, self.alice.email_verified), (True, True))

    def test_a_new_login_email_in_the_accounts_admin_clears_email_verified(self):
        user = self.alice.user
        response = self.client.post(
            f"{USERS}{user.pk}/change/", user_form(user, email="alice.new@example.com")
        )
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.email_verified, self.alice.phone_verified), (False, True))
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.email_verified)

    def test_other_login_changes_keep_email_verified(self):
        user = self.alice.user
        response = self.client.post(f"{USERS}{user.pk}/change/", user_form(user, first_name="Al"))
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.email_verified)


class ContactRuleTests(AdminTestCase):
    def test_an_email_differing_only_in_case_is_the_same_address(self):
        self.alice.email_verified = True
        self.alice.user.email = self.alice.user.email.upper()
        cleared = patient_contacts_unverify_changed(
            patient=self.alice, old_email=self.alice.user.email.lower(), old_phone=self.alice.phone
        )
        self.assertEqual(cleared, [])
        self.assertTrue(self.alice.email_verified)
