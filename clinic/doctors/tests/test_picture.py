"""Doctor pictures are public content: served without a per-user link, cacheable."""

import re

from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes
from clinic.doctors.models import Doctor
from clinic.testing import BaseTestCase, api_client, make_doctor


def doctor_picture_url(doctor):
    from clinic.doctors.pictures import doctor_picture_url

    return doctor_picture_url(doctor)


class DoctorPictureTestCase(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dr_rao.profile_pic.save("rao.png", ContentFile(image_bytes("PNG")), save=True)


@override_settings(DEBUG=False)
class PublicPagesWithAPictureTests(DoctorPictureTestCase):
    def test_public_pages_render_for_anonymous_visitors(self):
        """Home, the doctor list and the doctor's page answer 200, and their picture loads."""
        for path in ("/", "/doctors/", f"/doctors/{self.dr_rao.pk}/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                sources = re.findall(r'<img class="avatar[^"]*" src="([^"]+)"', html)
                self.assertEqual(len(sources), 1)
                picture = self.client.get(sources[0])
                self.assertEqual(picture.status_code, 200)
                self.assertEqual(picture["Content-Type"], "image/png")

    def test_the_booking_page_shows_the_public_picture_to_patients(self):
        """A signed-in patient gets the same public URL, not a per-user link."""
        self.client.force_login(self.alice.user)
        response = self.client.get(reverse("portal:book_doctor", args=[self.dr_rao.pk]))
        self.assertContains(response, f'src="{doctor_picture_url(self.dr_rao)}"')


class DoctorPictureViewTests(DoctorPictureTestCase):
    def test_it_serves_the_picture_to_anyone_cacheably(self):
        """No login needed; an image with nosniff, a sandbox CSP and public caching."""
        response = self.client.get(doctor_picture_url(self.dr_rao))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(b"".join(response.streaming_content)[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertIn("public", response["Cache-Control"])

    def test_it_refuses_names_that_are_no_doctors_picture(self):
        """Other stored files, made-up keys and pictures of inactive doctors are 404s."""
        gone = make_doctor(name="Dr. Gone", is_active=False)
        gone.profile_pic.save("gone.png", ContentFile(image_bytes("PNG")), save=True)
        key = self.dr_rao.profile_pic.name.rsplit("/", 1)[1]
        for url in (
            doctor_picture_url(gone),
            reverse("doctor_picture", args=["x" + key]),
            reverse("doctor_picture", args=[".."]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_stored_file_that_is_no_image_is_never_served(self):
        """A picture stored before uploads were checked (HTML) is refused, not served inline."""
        Doctor.objects.filter(pk=self.dr_rao.pk).update(profile_pic="")
        self.dr_rao.refresh_from_db()
        self.dr_rao.profile_pic.save(
            "x.png", ContentFile(b"<html><script>alert(1)</script></html>"), save=True
        )
        self.assertEqual(self.client.get(doctor_picture_url(self.dr_rao)).status_code, 404)

    def test_the_api_lists_the_public_url(self):
        """doctor/ gives the picture's absolute public URL."""
        response = api_client(self.alice.user).get("/cms-api/doctor/")
        row = next(r for r in response.json() if r["id"] == self.dr_rao.pk)
        self.assertEqual(row["profile_pic"], "http://testserver" + doctor_picture_url(self.dr_rao))
