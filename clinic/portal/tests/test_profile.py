from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.accounts.services import token_for
from clinic.core.models import AuditEvent
from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes
from clinic.portal.tests.base import PortalTestCase
from clinic.testing import PASSWORD

PROFILE = {
    "first_name": "Alicia",
    "last_name": "Adams",
    "gender": "Female",
    "dob": "1990-05-17",
    "phone": "9123456780",
    "address": "2 New Street",
}


class ProfileTests(PortalTestCase):
    def test_it_shows_the_patients_own_details(self):
        self.login()
        response = self.client.get(reverse("portal:profile"))
        self.assertContains(response, self.alice.user.email)
        self.assertContains(response, self.alice.phone_national)
        self.assertNotContains(response, self.bob.user.email)

    def test_editing_goes_through_patient_update(self):
        """Saved, audited; a changed phone loses its verification."""
        self.alice.phone_verified = True
        self.alice.save()
        self.login()
        response = self.client.post(reverse("portal:profile_edit"), PROFILE, follow=True)
        self.assertRedirects(response, reverse("portal:profile"))
        self.assertContains(response, "Your profile has been updated.")
        self.alice.refresh_from_db()
        self.alice.user.refresh_from_db()
        self.assertEqual(self.alice.user.first_name, "Alicia")
        self.assertEqual(self.alice.address, "2 New Street")
        self.assertIs(self.alice.phone_verified, False)
        event = AuditEvent.objects.get(action="patient.updated")
        self.assertEqual(event.data["fields"], ["address", "first_name", "phone"])

    def test_the_edit_form_starts_with_the_current_details(self):
        self.login()
        form = self.client.get(reverse("portal:profile_edit")).context["form"]
        self.assertEqual(form.initial["phone"], self.alice.phone_national)
        self.assertEqual(form.initial["dob"], self.alice.dob)

    def test_bad_values_are_field_errors_and_nothing_changes(self):
        self.login()
        for field, value in (("phone", "12ab"), ("dob", "2031-01-01")):
            with self.subTest(field=field):
                data = {**PROFILE, field: value}
                response = self.client.post(reverse("portal:profile_edit"), data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.address, "1 Test Street")


class PasswordChangeTests(PortalTestCase):
    def test_it_changes_the_password_keeps_the_session_and_revokes_api_tokens(self):
        token_for(user=self.alice.user)
        self.login()
        response = self.client.post(
            reverse("portal:password_change"),
            {"old_password": PASSWORD, "new_password1": "Brand-New-Pass-42",
             "new_password2": "Brand-New-Pass-42"},
            follow=True,
        )
        self.assertRedirects(response, reverse("portal:profile"))
        self.assertContains(response, "Your password has been changed.")
        self.alice.user.refresh_from_db()
        self.assertIs(self.alice.user.check_password("Brand-New-Pass-42"), True)
        self.assertIn(SESSION_KEY, self.client.session)
        self.assertEqual(self.client.get(reverse("portal:dashboard")).status_code, 200)
        self.assertFalse(Token.objects.filter(user=self.alice.user).exists())

    def test_a_wrong_old_password_or_a_weak_new_one_is_refused(self):
        self.login()
        for data in (
            {"old_password": "wrong", "new_password1": "Brand-New-Pass-42",
             "new_password2": "Brand-New-Pass-42"},
            {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
        ):
            response = self.client.post(reverse("portal:password_change"), data)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors)
        self.alice.user.refresh_from_db()
        self.assertIs(self.alice.user.check_password(PASSWORD), True)


class PictureTests(OwnMediaMixin, PortalTestCase):
    def upload(self, data, name="me.png", content_type="image/png"):
        return self.client.post(
            reverse("portal:profile_picture"),
            {"picture": SimpleUploadedFile(name, data, content_type=content_type)},
        )

    def test_it_stores_and_replaces_the_picture(self):
        self.login()
        self.assertRedirects(self.upload(image_bytes("PNG")), reverse("portal:profile"))
        self.alice.refresh_from_db()
        first = self.alice.profile_pic.name
        self.assertTrue(first.startswith("pictures/patients/"))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload(image_bytes("JPEG"), "b.jpg")
        self.assertRedirects(response, reverse("portal:profile"))
        self.alice.refresh_from_db()
        self.assertNotEqual(self.alice.profile_pic.name, first)
        page = self.client.get(reverse("portal:profile"))
        self.assertContains(page, 'id="picture-preview"')
        self.assertContains(page, "/files/")

    def test_a_file_that_is_not_an_image_is_a_form_error(self):
        self.login()
        response = self.upload(b"%PDF-1.4 not a picture", "x.png")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["picture_form"].errors["picture"])
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.profile_pic.name, "")

    @override_settings(PICTURE_MAX_BYTES=1024)
    def test_a_too_large_picture_is_a_form_error(self):
        self.login()
        response = self.upload(image_bytes("PNG", size=(400, 400), color=None) + b"x" * 2048)
        self.assertEqual(response.status_code, 400)
        self.assertIn("picture", response.context["picture_form"].errors)

    def test_picture_upload_is_post_only(self):
        self.login()
        self.assertEqual(self.client.get(reverse("portal:profile_picture")).status_code, 405)
