"""/files/ never serves HTML, SVG or any active content inline, whatever its name."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from clinic.core.downloads import file_url
from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes, pdf_bytes
from clinic.patients.models import Patient
from clinic.testing import BaseTestCase

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(document.cookie)</script></html>"


class DownloadHeadersTests(OwnMediaMixin, BaseTestCase):
    def fetch(self, content: bytes, name: str):
        """Store `content` as alice's picture (as a file stored before uploads were checked)."""
        stored = default_storage.save(f"pictures/patients/{name}", ContentFile(content))
        Patient.objects.filter(pk=self.alice.pk).update(profile_pic=stored)
        self.alice.refresh_from_db()
        self.client.force_login(self.alice.user)
        return self.client.get(file_url(self.alice.profile_pic, user=self.alice.user))

    def test_active_content_is_an_attachment_never_inline(self):
        """HTML and SVG, under any extension, come as octet-stream attachments in a sandbox."""
        for content, name in (
            (HTML, "x.html"),
            (HTML, "x.htm"),
            (HTML, "x.jpg"),
            (SVG, "x.svg"),
            (HTML, "x"),
        ):
            with self.subTest(name=name, kind=content[:4]):
                response = self.fetch(content, name)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "application/octet-stream")
                self.assertTrue(response["Content-Disposition"].startswith("attachment"))
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_safe_images_and_pdfs_are_inline_with_a_policy(self):
        """A sniffed PNG or PDF is shown inline, each with its Content-Security-Policy."""
        for content, name, content_type in (
            (image_bytes("PNG"), "p.png", "image/png"),
            (image_bytes("JPEG"), "p.jpg", "image/jpeg"),
            (image_bytes("WEBP"), "p.webp", "image/webp"),
            (pdf_bytes(), "d.pdf", "application/pdf"),
        ):
            with self.subTest(name=name):
                response = self.fetch(content, name)
                self.assertEqual(response["Content-Type"], content_type)
                self.assertTrue(response["Content-Disposition"].startswith("inline"))
                self.assertIn("default-src 'none'", response["Content-Security-Policy"])
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_a_png_named_html_is_served_as_png(self):
        """The type comes from the bytes, not the stored name."""
        response = self.fetch(image_bytes("PNG"), "x.html")
        self.assertEqual(response["Content-Type"], "image/png")
