"""Uploads for file tests: real images and PDFs made in memory."""

import io
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from fpdf import FPDF
from PIL import ExifTags, Image

GPS_LATITUDE = (Fraction(12), Fraction(58), Fraction(1234, 100))


def image_bytes(fmt="JPEG", size=(64, 48), color="red", *, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new(mode, size, color).save(out, fmt, **kwargs)
    return out.getvalue()


def gps_exif(*, orientation: int | None = None) -> Image.Exif:
    """EXIF with a camera make and a GPS position, as a phone writes it."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (Fraction(77), Fraction(35), Fraction(0))
    return exif


def jpeg_with_gps(**kwargs) -> bytes:
    return image_bytes("JPEG", exif=gps_exif(**kwargs))


def pdf_bytes(text="Haemoglobin 13.5 g/dL") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def upload(data: bytes, name="file.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


class OwnMediaMixin:
    """Each test gets its own empty local storage folder, so it can list what is stored."""

    def setUp(self):
        super().setUp()
        media = tempfile.mkdtemp(prefix="cms-media-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media, "base_url": None},
            },
        }
        self.enterContext(override_settings(MEDIA_ROOT=media, STORAGES=storages))


def stored_files() -> list[str]:
    """Every file in the local storage folder, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
