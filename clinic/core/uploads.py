"""Checking and cleaning uploaded files before they are stored.

The type is sniffed from the content, never from the name or the client's
Content-Type. Images are decoded and re-encoded with Pillow, which drops EXIF
(GPS, camera serials), XMP and comments; PDFs must parse as PDFs. The cleaned
file is named only by its detected type: the stored key stays random, and the
uploader's file name is kept apart (`display_name`) for display.

Every way in runs these checks: services call `clean_picture` / `clean_document`,
and every form (admin included) gets `PictureFormField` / `DocumentFormField`
from the model fields `PictureField` / `DocumentField`.
"""

import io
import unicodedata
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps

from clinic.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia

# Longest side of a stored image; bigger pictures are scaled down.
MAX_IMAGE_SIDE = 2048
# Decoded size bound (a 48 MP phone photo passes). A few KB of PNG can claim
# gigapixels; this is checked from the header, before any pixel is decoded.
MAX_IMAGE_PIXELS = 50_000_000
MAX_PDF_PAGES = 500

_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_PDF_MAGIC = b"%PDF-"


class CleanedFile(ContentFile):
    """What the checks return: safe to store as it is. `kind` is "picture" or "document"."""

    def __init__(self, content: bytes, *, name: str, kind: str, original_name: str = ""):
        super().__init__(content, name=name)
        self.kind = kind
        self.original_name = original_name


def clean_picture(upload) -> CleanedFile:
    """A re-encoded JPEG, PNG or WebP of `upload`, without metadata.

    Raises PayloadTooLarge over settings.PICTURE_MAX_BYTES and UnsupportedMedia
    for anything that is not a readable JPEG, PNG or WebP image.
    """
    if isinstance(upload, CleanedFile) and upload.kind == "picture":
        return upload  # a form field cleaned it already; re-encoding again only loses quality
    data = _read_limited(upload, settings.PICTURE_MAX_BYTES)
    return _clean_image(data, original_name=_name_of(upload))


def clean_document(upload) -> CleanedFile:
    """A lab report or scan: an image (cleaned as a picture) or a checked PDF.

    Raises PayloadTooLarge over settings.DOCUMENT_MAX_BYTES and UnsupportedMedia
    for any other content.
    """
    if isinstance(upload, CleanedFile):
        return upload
    data = _read_limited(upload, settings.DOCUMENT_MAX_BYTES)
    if data.startswith(_PDF_MAGIC):
        _check_pdf(data)
        return CleanedFile(
            data, name="document.pdf", kind="document", original_name=_name_of(upload)
        )
    return _clean_image(
        data, accepted="a JPEG, PNG or WebP image or a PDF", original_name=_name_of(upload)
    )


def _name_of(upload) -> str:
    return str(getattr(upload, "name", "") or "")


def display_name(upload, *, max_length: int = 200) -> str:
    """The uploader's file name, safe to show: no folders, no control characters."""
    raw = getattr(upload, "original_name", None) or getattr(upload, "name", "") or ""
    name = PurePosixPath(str(raw).replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = name[: max_length - len(keep) - 1] + "." + keep if keep else name[:max_length]
    return name or "file"


def _read_limited(upload, limit: int) -> bytes:
    """All of `upload`, refusing more than `limit` bytes without reading further."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise PayloadTooLarge(_too_large(limit), field="file")
    if hasattr(upload, "seek"):
        upload.seek(0)
    # The declared size may lie (a plain stream has none): read one byte past it.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(_too_large(limit), field="file")
    if not data:
        raise UnsupportedMedia("The file is empty.", field="file")
    return data


def _too_large(limit: int) -> str:
    return f"The file is larger than {limit / (1024 * 1024):.1f} MB."


def _clean_image(
    data: bytes, *, accepted: str = "a JPEG, PNG or WebP image", original_name: str = ""
) -> CleanedFile:
    refused = UnsupportedMedia(f"The file is not {accepted}.", field="file")
    try:
        with warnings.catch_warnings():
            # Pillow warns (then errors) on decompression bombs; treat both as refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders are tried: no exotic formats get parsed.
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise PayloadTooLarge("The image has too many pixels.", field="file")
            fmt = image.format
            if fmt == "JPEG":
                # Let the JPEG decoder scale down while decoding: far less memory.
                image.draft("RGB", (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
            image = _normalise_mode(image, fmt)
            # A fresh image carries no info dict: no EXIF, XMP, ICC text or comments.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.save(out, "JPEG", quality=85, optimize=True)
            elif fmt == "PNG":
                clean.save(out, "PNG", optimize=True)
            else:
                clean.save(out, "WEBP", quality=85)
    except (PayloadTooLarge, UnsupportedMedia):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PayloadTooLarge("The image has too many pixels.", field="file") from None
    except Exception:  # Pillow raises many types on malformed input; all mean "not an image"
        raise refused from None
    return CleanedFile(
        out.getvalue(), name=f"image{_FORMATS[fmt]}", kind="picture", original_name=original_name
    )


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _check_pdf(data: bytes) -> None:
    """Parse the PDF: a file that only starts like one is refused."""
    from pypdf import PdfReader  # imported late: only PDF uploads need it

    refused = UnsupportedMedia("The file is not a readable PDF.", field="file")
    if b"%%EOF" not in data[-2048:]:
        raise refused
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedMedia("Password-protected PDFs are not accepted.", field="file")
        pages = len(reader.pages)
    except UnsupportedMedia:
        raise
    except Exception:  # pypdf raises many types on malformed input
        raise refused from None
    if pages < 1:
        raise refused
    if pages > MAX_PDF_PAGES:
        raise PayloadTooLarge(f"The PDF has more than {MAX_PDF_PAGES} pages.", field="file")


class CheckedFileFormField(forms.FileField):
    """A form's file field whose new upload goes through `cleaner`; it yields the cleaned file."""

    cleaner = staticmethod(clean_document)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return self.cleaner(upload)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.fields.get("file", [exc.message])[0]) from None


class PictureFormField(CheckedFileFormField):
    cleaner = staticmethod(clean_picture)


class DocumentFormField(CheckedFileFormField):
    cleaner = staticmethod(clean_document)


class _CheckedModelFileField(models.FileField):
    form_class = CheckedFileFormField

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class, **kwargs})

    def deconstruct(self):
        # Migrations see a plain FileField: the checks concern forms only, the column is the same.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs


class PictureField(_CheckedModelFileField):
    """A FileField whose forms (admin included) accept only pictures, cleaned by clean_picture."""

    form_class = PictureFormField


class DocumentField(_CheckedModelFileField):
    """A FileField whose forms accept only images or PDFs, cleaned by clean_document."""

    form_class = DocumentFormField
