"""PATCH patient/ is all or nothing: a refused picture or field leaves everything as it was."""

from clinic.api.tests.base import ApiTestCase
from clinic.core.models import AuditEvent
from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes, stored_files, upload
from clinic.patients.models import Patient
from clinic.testing import api_client

URL = "/cms-api/patient/"


class PatientPatchAtomicTests(OwnMediaMixin, ApiTestCase):
    def patch(self, **data):
        return api_client(self.alice.user).patch(URL, data, format="multipart")

    def state(self):
        patient = Patient.objects.select_related("user").get(pk=self.alice.pk)
        return (
            patient.user.first_name,
            patient.address,
            patient.phone,
            patient.profile_pic.name,
            AuditEvent.objects.count(),
            stored_files(),
        )

    def test_a_refused_picture_saves_nothing(self):
        """Name and address with an HTML 'picture': 415, and the name and address are unchanged."""
        before = self.state()
        response = self.patch(
            first_name="Mallory",
            address="9 Elsewhere",
            profile_pic=upload(b"<html>not a picture</html>", "me.jpg", "image/jpeg"),
        )
        self.assertError(response, 415, "profile_pic")
        self.assertEqual(self.state(), before)

    def test_a_too_large_picture_saves_nothing(self):
        """An oversized picture: 413, nothing saved."""
        before = self.state()
        with self.settings(PICTURE_MAX_BYTES=100):
            response = self.patch(
                first_name="Mallory", profile_pic=upload(image_bytes(size=(300, 300)), "me.jpg")
            )
        self.assertError(response, 413, "profile_pic")
        self.assertEqual(self.state(), before)

    def test_a_refused_field_stores_no_picture(self):
        """A valid picture with an invalid phone: 400, no file stored, nothing changed."""
        before = self.state()
        response = self.patch(phone="12", profile_pic=upload(image_bytes("PNG"), "me.png"))
        self.assertError(response, 400, "phone")
        self.assertEqual(self.state(), before)

    def test_fields_and_picture_change_together(self):
        """Both valid: both saved, one picture stored."""
        response = self.patch(first_name="Alicia", profile_pic=upload(image_bytes("PNG"), "a.png"))
        self.assertEqual(response.status_code, 200, response.content)
        first_name, _, _, picture, _, files = self.state()
        self.assertEqual(first_name, "Alicia")
        self.assertEqual(files, [picture])
