"""Every way a password changes ends every API token and web session of the account.

Each test logs the account in twice (an API token and a portal session), changes
the password one way, and then shows that neither credential opens anything.
"""

import io

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinic.accounts.models import User
from clinic.testing import PASSWORD, BaseTestCase, api_client, verified_login

NEW_PASSWORD = "Fresh-Tulip-Lantern-42"


class PasswordChangeRevokesTests(BaseTestCase):
    def setUp(self):
        self.user = self.alice.user
        self.api = api_client(self.user)
        self.portal = Client()
        self.assertIs(self.portal.login(username="alice", password=PASSWORD), True)
        self._assert_logged_in()

    def _assert_logged_in(self):
        self.assertEqual(self.api.get("/cms-api/patient/").status_code, 200)
        self.assertEqual(self.portal.get(reverse("portal:dashboard")).status_code, 200)

    def _assert_logged_out(self):
        self.assertEqual(self.api.get("/cms-api/patient/").status_code, 401)
        response = self.portal.get(reverse("portal:dashboard"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("portal:login"), response["Location"])

    def test_it_revokes_on_the_admin_password_form(self):
        """A staff member sets the password in the admin: the owner's token and session die."""
        admin = Client()
        verified_login(admin, self.staff)
        url = reverse("admin:auth_user_password_change", args=[self.user.pk])
        response = admin.post(
            url,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self._assert_logged_out()

    def test_it_revokes_on_the_changepassword_command(self):
        """`manage.py changepassword` ends the account's tokens and sessions."""
        import getpass
        from unittest import mock

        with mock.patch.object(getpass, "getpass", return_value=NEW_PASSWORD):
            call_command("changepassword", "alice", stdout=io.StringIO())
        self._assert_logged_out()

    def test_it_revokes_on_set_password_anywhere(self):
        """set_password + save, as any code might call it."""
        user = User.objects.get(pk=self.user.pk)
        user.set_password(NEW_PASSWORD)
        user.save()
        self._assert_logged_out()

    def test_it_revokes_on_a_new_hash_assigned_directly(self):
        """A hash assigned to the field (e.g. a data fix) counts as a change too."""
        user = User.objects.get(pk=self.user.pk)
        user.password = make_password(NEW_PASSWORD)
        user.save(update_fields=["password"])
        self._assert_logged_out()

    def test_it_revokes_on_the_portal_password_form_but_keeps_that_session(self):
        """The patient changes it in the portal: that browser stays in, every other
        session and every API token is out."""
        other = Client()
        self.assertIs(other.login(username="alice", password=PASSWORD), True)
        response = self.portal.post(
            reverse("portal:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.api.get("/cms-api/patient/").status_code, 401)
        self.assertEqual(self.portal.get(reverse("portal:dashboard")).status_code, 200)
        self.assertEqual(other.get(reverse("portal:dashboard")).status_code, 302)

    def test_it_keeps_everything_when_the_password_is_unchanged(self):
        """Saving the account for another reason (name, last login) revokes nothing."""
        user = User.objects.get(pk=self.user.pk)
        user.first_name = "Alicia"
        user.save()
        self._assert_logged_in()

    def test_it_keeps_everything_when_login_upgrades_the_hash(self):
        """A login that re-hashes the same password (a stronger hasher) is no change."""
        with self.settings(
            PASSWORD_HASHERS=[
                "django.contrib.auth.hashers.PBKDF2PasswordHasher",
                "django.contrib.auth.hashers.MD5PasswordHasher",
            ]
        ):
            User.objects.filter(pk=self.user.pk).update(
                password=make_password(PASSWORD, hasher="md5")
            )
            user = User.objects.get(pk=self.user.pk)
            self.assertIs(user.check_password(PASSWORD), True)
            self.assertTrue(User.objects.get(pk=self.user.pk).password.startswith("pbkdf2"))
            self.assertEqual(self.api.get("/cms-api/patient/").status_code, 200)
