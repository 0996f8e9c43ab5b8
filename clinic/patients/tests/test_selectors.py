"""The family rule: which records a login may act for."""

import datetime as dt

from clinic.core.errors import NotFound
from clinic.patients.selectors import patient_acting_for, patients_managed_by
from clinic.patients.services import patient_create_record
from clinic.testing import BaseTestCase, make_user


class FamilyRuleTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.child = patient_create_record(
            actor=cls.staff,
            guardian=cls.alice.user,
            given_name="Kiran",
            family_name="Adams",
            gender="Male",
            dob=dt.date(2021, 1, 2),
        )

    def test_a_login_manages_itself_and_its_dependants(self):
        self.assertEqual(set(patients_managed_by(user=self.alice.user)), {self.alice, self.child})
        self.assertEqual(list(patients_managed_by(user=self.bob.user)), [self.bob])

    def test_staff_and_anonymous_manage_no_one(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(list(patients_managed_by(user=self.staff)), [])
        self.assertEqual(list(patients_managed_by(user=AnonymousUser())), [])

    def test_a_dependant_with_two_guardians_is_listed_once(self):
        self.child.guardians.add(self.bob.user)
        self.assertEqual(list(patients_managed_by(user=self.alice.user)).count(self.child), 1)
        self.assertIn(self.child, patients_managed_by(user=self.bob.user))

    def test_acting_for_defaults_to_the_own_record(self):
        self.assertEqual(patient_acting_for(user=self.alice.user), self.alice)
        self.assertEqual(patient_acting_for(user=self.alice.user, patient_id=""), self.alice)

    def test_acting_for_a_dependant(self):
        acting = patient_acting_for(user=self.alice.user, patient_id=str(self.child.pk))
        self.assertEqual(acting, self.child)

    def test_anyone_else_is_not_found(self):
        """Another family's record, a missing one and garbage all look the same."""
        for user, patient_id in [
            (self.bob.user, self.child.pk),
            (self.bob.user, self.alice.pk),
            (self.alice.user, 999999),
            (self.alice.user, "abc"),
            (make_user(), None),
        ]:
            with self.subTest(patient_id=patient_id), self.assertRaises(NotFound):
                patient_acting_for(user=user, patient_id=patient_id)
