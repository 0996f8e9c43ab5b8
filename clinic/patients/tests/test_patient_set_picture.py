import io

from django.core.files.storage import default_storage
from PIL import Image

from clinic.core.errors import PayloadTooLarge
from clinic.core.models import AuditEvent
from clinic.core.tests.files_helpers import (
    OwnMediaMixin,
    image_bytes,
    jpeg_with_gps,
    stored_files,
    upload,
)
from clinic.patients.models import Patient
from clinic.patients.services import patient_set_picture
from clinic.testing import BaseTestCase


class PatientSetPictureTests(OwnMediaMixin, BaseTestCase):
    def set_picture(self, data, name="me.jpg"):
        with self.captureOnCommitCallbacks(execute=True):
            return patient_set_picture(
                patient=self.alice, upload=upload(data, name), actor=self.alice.user
            )

    def test_it_stores_a_clean_copy_under_a_random_key(self):
        """The stored picture has no EXIF and a random key; the change is audited."""
        patient = self.set_picture(jpeg_with_gps(), "alice-at-home.jpg")
        name = Patient.objects.get(pk=self.alice.pk).profile_pic.name
        self.assertEqual(patient.profile_pic.name, name)
        self.assertRegex(name, r"^pictures/patients/[A-Za-z0-9_-]{32}\.jpg$")
        with default_storage.open(name, "rb") as fh:
            image = Image.open(io.BytesIO(fh.read()))
        self.assertEqual(dict(image.getexif()), {})
        self.assertTrue(
            AuditEvent.objects.filter(action="patient.picture_set", actor=self.alice.user).exists()
        )

    def test_replacing_the_picture_removes_the_old_file(self):
        """After a second upload only the new picture is on disk."""
        first = self.set_picture(image_bytes()).profile_pic.name
        second = self.set_picture(image_bytes("PNG"), "me.png").profile_pic.name
        self.assertNotEqual(first, second)
        self.assertEqual(stored_files(), [second])

    def test_a_refused_picture_keeps_the_old_one(self):
        """An oversized upload is refused and the current picture stays."""
        first = self.set_picture(image_bytes()).profile_pic.name
        with self.settings(PICTURE_MAX_BYTES=10), self.assertRaises(PayloadTooLarge):
            self.set_picture(image_bytes())
        self.assertEqual(Patient.objects.get(pk=self.alice.pk).profile_pic.name, first)
        self.assertEqual(stored_files(), [first])

    def test_deleting_the_login_keeps_the_record_and_its_picture(self):
        """A patient is a record, not a login: deleting the login keeps both."""
        self.set_picture(image_bytes())
        with self.captureOnCommitCallbacks(execute=True):
            self.alice.user.delete()
        patient = Patient.objects.get(pk=self.alice.pk)
        self.assertIsNone(patient.user)
        self.assertEqual(stored_files(), [patient.profile_pic.name])

    def test_deleting_the_record_removes_the_picture(self):
        """The picture file goes with the record it belongs to."""
        self.set_picture(image_bytes())
        with self.captureOnCommitCallbacks(execute=True):
            Patient.objects.get(pk=self.alice.pk).delete()
        self.assertEqual(stored_files(), [])
