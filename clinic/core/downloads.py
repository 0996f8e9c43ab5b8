"""Short-lived download URLs for private files.

On S3 the URL is a presigned GET. On local disk it is a signed token naming
the file and the user it was issued to, served by `download` below.
"""

import mimetypes
from pathlib import PurePosixPath

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.http import require_GET

_SALT = "cms.files.download"


def file_url(fieldfile, *, user, filename: str | None = None, request=None) -> str | None:
    """A URL that lets `user` (the owner or staff) fetch `fieldfile` for a few minutes."""
    if not fieldfile:
        return None
    if not _is_local(fieldfile.storage):
        return fieldfile.storage.url(fieldfile.name)
    token = signing.dumps(
        {"n": fieldfile.name, "u": user.pk, "f": filename or ""}, salt=_SALT, compress=True
    )
    url = reverse("files:download", kwargs={"token": token})
    return request.build_absolute_uri(url) if request is not None else url


def _is_local(storage) -> bool:
    return hasattr(storage, "path")


@require_GET
def download(request, token: str):
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.FILE_URL_TTL_SECONDS)
    except signing.SignatureExpired:
        return HttpResponseForbidden("This download link has expired.")
    except signing.BadSignature:
        raise Http404("No such file.") from None
    user = request.user
    # A link copied into another account's browser is refused.
    if user.is_authenticated and not user.is_staff and user.pk != data["u"]:
        return HttpResponseForbidden("This download link belongs to another account.")
    name = data["n"]
    if not default_storage.exists(name):
        raise Http404("No such file.")
    filename = data.get("f") or PurePosixPath(name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
