"""Staff accounts through their services: create, roles, doctor link, deactivate, 2FA reset."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.errors import InvalidInput
from clinic.core.models import AuditEvent
from clinic.staff.roles import Role
from clinic.staff.selectors import staff_roles_of
from clinic.staff.services import (
    staff_create,
    staff_reset_second_factor,
    staff_set_active,
    staff_update,
)
from clinic.testing import BaseTestCase, make_doctor, make_staff

GOOD = "Long-Enough-Pass-42"


class StaffServiceTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.manager = make_staff(Role.MANAGER)

    def create(self, **overrides):
        data = {"actor": self.manager, "username": "ravi", "email": "ravi@example.com",
                "first_name": "Ravi", "last_name": "K", "roles": [Role.FRONT_DESK],
                "password": GOOD, **overrides}
        return staff_create(**data)

    def test_create_makes_a_staff_login_in_its_roles(self):
        user = self.create()
        self.assertIs(user.is_staff, True)
        self.assertIs(user.is_superuser, False)
        self.assertIs(user.check_password(GOOD), True)
        self.assertEqual(staff_roles_of(user), [Role.FRONT_DESK])
        self.assertTrue(AuditEvent.objects.filter(action="staff.created", object_id=user.pk)
                        .exists())

    def test_create_refuses_bad_input_and_changes_nothing(self):
        doctor = make_doctor()
        cases = {
            "roles": {"roles": []},
            "password": {"password": "short"},
            "email": {"email": "not-an-email"},
            "username": {"username": "ALICE"},
            "doctor": {"roles": [Role.DOCTOR]},
        }
        for field, overrides in cases.items():
            with self.subTest(field=field):
                with self.assertRaises(InvalidInput) as caught:
                    self.create(**overrides)
                self.assertEqual(caught.exception.field, field)
        with self.assertRaises(InvalidInput):
            self.create(doctor=doctor)  # a doctor link needs the doctor role
        self.assertFalse(type(self.manager).objects.filter(username="ravi").exists())

    def test_a_doctor_login_is_linked_to_its_doctor_once(self):
        doctor = make_doctor()
        user = self.create(roles=[Role.DOCTOR], doctor=doctor)
        doctor.refresh_from_db()
        self.assertEqual(doctor.user, user)
        with self.assertRaisesMessage(InvalidInput, "already has a login"):
            self.create(username="other", email="o@example.com", roles=[Role.DOCTOR],
                        doctor=doctor)

    def test_update_changes_roles_and_the_link(self):
        doctor = make_doctor()
        user = self.create()
        staff_update(actor=self.manager, user=user, roles=[Role.DOCTOR, Role.MANAGER],
                     doctor=doctor)
        user = type(user).objects.get(pk=user.pk)
        self.assertEqual(staff_roles_of(user), [Role.DOCTOR, Role.MANAGER])
        staff_update(actor=self.manager, user=user, roles=[Role.LAB])
        doctor.refresh_from_db()
        self.assertIsNone(doctor.user)

    def test_a_manager_cannot_lock_themselves_out(self):
        with self.assertRaises(InvalidInput):
            staff_update(actor=self.manager, user=self.manager, roles=[Role.LAB])
        with self.assertRaises(InvalidInput):
            staff_set_active(actor=self.manager, user=self.manager, active=False)

    def test_deactivate_and_reactivate(self):
        user = self.create()
        staff_set_active(actor=self.manager, user=user, active=False)
        user.refresh_from_db()
        self.assertIs(user.is_active, False)
        staff_set_active(actor=self.manager, user=user, active=True)
        user.refresh_from_db()
        self.assertIs(user.is_active, True)

    def test_patients_accounts_are_not_managed_here(self):
        with self.assertRaises(InvalidInput):
            staff_set_active(actor=self.manager, user=self.alice.user, active=False)
        with self.assertRaises(InvalidInput):
            staff_reset_second_factor(actor=self.manager, user=self.alice.user)

    def test_reset_second_factor_removes_the_devices(self):
        user = self.create()
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        self.assertEqual(staff_reset_second_factor(actor=self.manager, user=user), 1)
        self.assertFalse(TOTPDevice.objects.filter(user=user).exists())
