"""Doctors' pictures are public content, served to anyone at a stable public URL.

Unlike patients' files they need no per-user signed link, so the public pages
(home, the doctor list, each doctor's page) render for anonymous visitors and
the pictures can be cached. The URL holds the stored file's random key, which
changes whenever the picture is replaced, so caching it for a day is safe.
"""

import re

from django.http import FileResponse, Http404
from django.urls import reverse
from django.views.decorators.http import require_GET

from clinic.core.downloads import IMAGE_CSP
from clinic.core.sniff import sniff_file
from clinic.doctors.models import Doctor

PREFIX = "pictures/doctors/"
_KEY = re.compile(r"^[A-Za-z0-9_-]+(\.[a-z0-9]{1,10})?$")
CACHE_CONTROL = "public, max-age=86400"


def doctor_picture_url(doctor_or_name, *, request=None) -> str | None:
    """The public URL of a doctor's picture (a Doctor, or the stored name), or None."""
    name = getattr(getattr(doctor_or_name, "profile_pic", None), "name", doctor_or_name)
    if not name or not str(name).startswith(PREFIX):
        return None
    url = reverse("doctor_picture", kwargs={"key": str(name).removeprefix(PREFIX)})
    return request.build_absolute_uri(url) if request is not None else url


@require_GET
def doctor_picture(request, key: str):
    """An active doctor's current picture; only a sniffed JPEG, PNG or WebP is served."""
    name = PREFIX + key
    if not _KEY.match(key) or not Doctor.objects.filter(profile_pic=name, is_active=True).exists():
        raise Http404("No such picture.")
    field = Doctor._meta.get_field("profile_pic")
    try:
        fh = field.storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such picture.") from None
    content_type = sniff_file(fh)
    if content_type is None or not content_type.startswith("image/"):
        fh.close()
        raise Http404("No such picture.")
    response = FileResponse(fh, content_type=content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
