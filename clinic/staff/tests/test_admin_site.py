"""Django's admin: verified superusers only (clinic.staff.admin_site)."""

from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.roles import Role
from clinic.testing import PASSWORD, BaseTestCase, make_staff, totp_now, verified_login

ADMIN = "/admin/"
LOGIN = "/admin/login/"


class AdminSiteTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def test_a_verified_superuser_uses_the_admin(self):
        verified_login(self.client, self.staff)
        self.assertEqual(self.client.get(ADMIN).status_code, 200)

    def test_a_superuser_without_the_second_factor_is_sent_to_the_login(self):
        self.client.force_login(self.staff)
        response = self.client.get(ADMIN)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_staff_who_are_not_superusers_are_kept_out(self):
        manager = make_staff(Role.MANAGER)
        verified_login(self.client, manager)
        response = self.client.get("/admin/patients/patient/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_the_login_asks_for_the_code(self):
        device = TOTPDevice.objects.create(user=self.staff, name="phone", confirmed=True)
        client = Client()
        response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
        self.assertContains(response, "6-digit code")
        self.assertNotIn("_auth_user_id", client.session)
        response = client.post(
            LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": totp_now(device),
                    "next": ADMIN},
        )
        self.assertRedirects(response, ADMIN, fetch_redirect_response=False)
        self.assertEqual(client.get(ADMIN).status_code, 200)

    def test_a_superuser_without_an_authenticator_is_told_where_to_set_one_up(self):
        response = self.client.post(LOGIN, {"username": "staff", "password": PASSWORD,
                                            "otp_token": "123456"})
        self.assertContains(response, "/clinic/login/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_staff_login_that_is_not_a_superuser_is_refused_at_the_form(self):
        manager = make_staff(Role.MANAGER, username="mgr")
        device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
        response = self.client.post(LOGIN, {"username": "mgr", "password": PASSWORD,
                                            "otp_token": totp_now(device)})
        self.assertContains(response, "for superusers")
        self.assertNotIn("_auth_user_id", self.client.session)
