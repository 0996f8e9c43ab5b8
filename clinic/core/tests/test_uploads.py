import io

from django.test import SimpleTestCase, override_settings
from PIL import Image

from clinic.core.errors import PayloadTooLarge, UnsupportedMedia
from clinic.core.tests.files_helpers import (
    image_bytes,
    jpeg_with_gps,
    pdf_bytes,
    upload,
)
from clinic.core.uploads import clean_document, clean_picture, display_name


def _open(content) -> Image.Image:
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


class CleanPictureTests(SimpleTestCase):
    def test_it_refuses_an_oversized_picture(self):
        """A picture over PICTURE_MAX_BYTES is refused as too large."""
        data = image_bytes(size=(200, 200))
        with override_settings(PICTURE_MAX_BYTES=len(data) - 1):
            with self.assertRaises(PayloadTooLarge):
                clean_picture(upload(data, "me.jpg"))
        with override_settings(PICTURE_MAX_BYTES=len(data)):
            self.assertEqual(_open(clean_picture(upload(data, "me.jpg"))).size, (200, 200))

    def test_it_refuses_a_stream_that_understates_its_size(self):
        """The limit is enforced on the bytes read, not on the declared size."""
        data = image_bytes(size=(200, 200))

        class Liar(io.BytesIO):
            size = 10

        with override_settings(PICTURE_MAX_BYTES=len(data) - 1):
            with self.assertRaises(PayloadTooLarge):
                clean_picture(Liar(data))

    def test_it_refuses_a_jpg_that_is_really_text(self):
        """The type comes from the content: text named .jpg is refused."""
        with self.assertRaisesMessage(UnsupportedMedia, "not a JPEG, PNG or WebP image"):
            clean_picture(upload(b"I am not a picture at all\n" * 10, "me.jpg", "image/jpeg"))

    def test_it_refuses_other_image_formats(self):
        """A real GIF or BMP is not accepted as a profile picture."""
        for fmt in ("GIF", "BMP"):
            with self.subTest(fmt=fmt), self.assertRaises(UnsupportedMedia):
                clean_picture(upload(image_bytes(fmt), "me.jpg"))

    def test_it_refuses_a_truncated_image(self):
        """A JPEG cut short fails to decode and is refused, not stored half-broken."""
        data = image_bytes(size=(400, 300))
        with self.assertRaises(UnsupportedMedia):
            clean_picture(upload(data[: len(data) // 2], "me.jpg"))

    def test_it_removes_gps_exif(self):
        """A photo with GPS EXIF comes out with no EXIF at all."""
        data = jpeg_with_gps()
        self.assertIn(34853, Image.open(io.BytesIO(data)).getexif())  # the GPS IFD is there
        cleaned = clean_picture(upload(data, "me.jpg")).read()
        image = Image.open(io.BytesIO(cleaned))
        self.assertEqual(dict(image.getexif()), {})
        self.assertNotIn("exif", image.info)
        self.assertNotIn(b"PhoneCam", cleaned)
        self.assertNotIn(b"Exif\x00\x00", cleaned)

    def test_it_applies_the_exif_orientation_before_dropping_it(self):
        """A portrait photo stored sideways (Orientation 6) is turned upright."""
        data = image_bytes(size=(64, 48), exif=_orientation_exif(6))
        self.assertEqual(_open(clean_picture(upload(data, "me.jpg"))).size, (48, 64))

    def test_it_scales_big_pictures_down(self):
        """The longest side is capped at 2048 pixels, keeping the aspect ratio."""
        data = image_bytes(size=(3000, 1000))
        self.assertEqual(_open(clean_picture(upload(data, "me.jpg"))).size, (2048, 683))

    def test_it_refuses_a_decompression_bomb(self):
        """A small PNG claiming 64 megapixels is refused before it is decoded."""
        out = io.BytesIO()
        Image.new("1", (8000, 8000)).save(out, "PNG")
        self.assertLess(len(out.getvalue()), 100_000)
        with self.assertRaises(PayloadTooLarge):
            clean_picture(upload(out.getvalue(), "bomb.png"))
        # Past Pillow's own limit (about 89 MP) the answer is the same.
        out = io.BytesIO()
        Image.new("1", (10000, 10000)).save(out, "PNG")
        with self.assertRaises(PayloadTooLarge):
            clean_picture(upload(out.getvalue(), "bomb.png"))

    def test_it_keeps_the_detected_format_and_transparency(self):
        """A PNG stays a PNG with its alpha channel; WebP stays WebP; names follow content."""
        png = clean_picture(upload(image_bytes("PNG", color=(0, 0, 0, 0)), "photo.jpg"))
        self.assertEqual(png.name, "image.png")
        self.assertEqual((_open(png).format, _open(png).mode), ("PNG", "RGBA"))
        webp = clean_picture(upload(image_bytes("WEBP"), "photo.png"))
        self.assertEqual((webp.name, _open(webp).format), ("image.webp", "WEBP"))
        jpeg = clean_picture(upload(image_bytes("JPEG"), "photo.png"))
        self.assertEqual((jpeg.name, _open(jpeg).format), ("image.jpg", "JPEG"))


class CleanDocumentTests(SimpleTestCase):
    def test_it_accepts_a_real_pdf_unchanged(self):
        """A PDF that parses is stored byte for byte."""
        data = pdf_bytes()
        cleaned = clean_document(upload(data, "cbc.pdf"))
        self.assertEqual((cleaned.name, cleaned.read()), ("document.pdf", data))

    def test_it_refuses_a_pdf_that_lies(self):
        """Content that only starts like a PDF, or HTML named .pdf, is refused."""
        fakes = {
            "magic only": b"%PDF-1.7\n<script>alert(1)</script>\n%%EOF\n",
            "html": b"<html><body>report</body></html>",
            "truncated": pdf_bytes()[:300],
        }
        for label, data in fakes.items():
            with self.subTest(label), self.assertRaises(UnsupportedMedia):
                clean_document(upload(data, "report.pdf", "application/pdf"))

    def test_it_cleans_an_image_report_like_a_picture(self):
        """An image report loses its EXIF like a profile picture does."""
        cleaned = clean_document(upload(jpeg_with_gps(), "scan.jpeg"))
        self.assertEqual(cleaned.name, "image.jpg")
        self.assertEqual(dict(_open(cleaned).getexif()), {})

    def test_it_refuses_an_oversized_document(self):
        """A document over DOCUMENT_MAX_BYTES is refused as too large."""
        data = pdf_bytes()
        with override_settings(DOCUMENT_MAX_BYTES=len(data) - 1):
            with self.assertRaises(PayloadTooLarge):
                clean_document(upload(data, "cbc.pdf"))

    def test_it_refuses_an_empty_file(self):
        """An empty upload is not a document."""
        with self.assertRaisesMessage(UnsupportedMedia, "empty"):
            clean_document(upload(b"", "cbc.pdf"))


class DisplayNameTests(SimpleTestCase):
    def test_it_keeps_only_a_safe_base_name(self):
        """Folders, control characters and excess length are removed from the shown name."""
        self.assertEqual(
            display_name(upload(b"x", "C:\\Users\\a\\CBC report.pdf")), "CBC report.pdf"
        )
        self.assertEqual(display_name(upload(b"x", "../../etc/pa\x00ss\nwd.png")), "passwd.png")
        long = display_name(upload(b"x", "a" * 300 + ".pdf"), max_length=50)
        self.assertEqual((len(long), long[-4:]), (50, ".pdf"))


def _orientation_exif(value: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif
