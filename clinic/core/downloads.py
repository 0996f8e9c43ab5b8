"""Short-lived download URLs for private files.

On S3 the URL is a presigned GET that expires after FILE_URL_TTL_SECONDS; the
objects themselves are private, so an unsigned URL gets nothing. On local disk
it is a signed token naming the file, the display name and the account it was
issued to, served by `download` below. Callers decide who may have a URL (the
owner patient or staff); the link is then refused to any other logged-in
account, after it expires, or when it was tampered with.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from clinic.core.errors import Forbidden
from clinic.core.sniff import sniff_file

_SALT = "cms.files.download"
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# An image is never a page: no scripts or forms even if a browser is tricked. (Not
# for PDFs: browsers refuse to show a PDF in a sandboxed document.)
IMAGE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
# A PDF shown inline may use the browser's viewer, nothing else; anything saved as an
# attachment gets the strictest policy in case a browser renders it anyway.
PDF_CSP = "default-src 'none'; object-src 'self'"
ATTACHMENT_CSP = "sandbox; default-src 'none'"


# Stands in for the token while a view's URL is reversed once per request.
_TOKEN_SLOT = "token-slot-7f3a"


def link_to(viewname: str, token: str, *, request=None) -> str:
    """The URL of `viewname` for a signed `token`, absolute on `request` if given.

    A list signs a link per row; `reverse()` was a third of each link's cost, so the
    URL around the token is worked out once per request and kept on it.
    """
    if request is None:
        return reverse(viewname, kwargs={"token": token})
    parts_by_view = request.__dict__.setdefault("_link_parts", {})
    parts = parts_by_view.get(viewname)
    if parts is None:
        url = request.build_absolute_uri(reverse(viewname, kwargs={"token": _TOKEN_SLOT}))
        parts = parts_by_view[viewname] = tuple(url.split(_TOKEN_SLOT))
    if len(parts) != 2:  # the slot's text also elsewhere in the URL: reverse every time
        return request.build_absolute_uri(reverse(viewname, kwargs={"token": token}))
    return token.join(parts)


def file_url(
    fieldfile, *, user, filename: str | None = None, request=None, attachment: bool = False
) -> str | None:
    """A URL that lets `user` (the owner or staff) fetch `fieldfile` for a few minutes.

    `filename` is the name shown when saving the file (the uploader's original
    name); its extension follows the stored file's real type.
    """
    if not fieldfile:
        return None
    if not (user is not None and user.is_authenticated):
        raise Forbidden("Sign in to download files.")
    storage = fieldfile.storage
    shown = download_name(fieldfile.name, filename)
    if not _is_local(storage):
        return _presigned_url(storage, fieldfile.name, shown, attachment=attachment)
    token = signing.dumps(
        {"n": fieldfile.name, "u": user.pk, "f": shown, "a": int(attachment)},
        salt=_SALT,
        compress=True,
    )
    return link_to("files:download", token, request=request)


def download_name(stored_name: str, filename: str | None) -> str:
    """The original name, with the extension of what is really stored (a .png may be a JPEG)."""
    stored = PurePosixPath(stored_name)
    if not filename:
        return f"file{stored.suffix}"
    shown = PurePosixPath(filename)
    if shown.suffix.lower() != stored.suffix.lower():
        return f"{shown.stem or 'file'}{stored.suffix}"
    return filename


def _presigned_url(storage, name: str, filename: str, *, attachment: bool) -> str:
    if not getattr(storage, "querystring_auth", False) or getattr(storage, "custom_domain", None):
        # An unsigned URL to a medical document must never be handed out.
        raise ImproperlyConfigured("Private files on S3 need querystring_auth and no custom_domain")
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(attachment, filename),
            "ResponseCacheControl": PRIVATE_HEADERS["Cache-Control"],
        },
        expire=settings.FILE_URL_TTL_SECONDS,
    )


def _is_local(storage) -> bool:
    try:
        storage.path("x")
    except NotImplementedError:
        return False
    return True


class LinkRefused(Exception):
    def __init__(self, response):
        super().__init__(response.content)
        self.response = response


def read_link(request, token: str, *, salt: str) -> tuple[dict, object]:
    """The payload of a signed download link and the account it was issued to.

    Refused: an expired link, a link opened in another (non-staff) account's
    browser, a link whose account is gone or disabled. A tampered link is a 404.
    """
    try:
        data = signing.loads(token, salt=salt, max_age=settings.FILE_URL_TTL_SECONDS)
    except signing.SignatureExpired:
        raise LinkRefused(HttpResponseForbidden("This download link has expired.")) from None
    except signing.BadSignature:
        raise Http404("No such file.") from None
    user = request.user
    # A link copied into another account's browser is refused.
    if user.is_authenticated and not user.is_staff and user.pk != data["u"]:
        raise LinkRefused(HttpResponseForbidden("This download link belongs to another account."))
    # Links die with the account they were issued to.
    issued_to = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if issued_to is None:
        raise LinkRefused(HttpResponseForbidden("This download link is no longer valid."))
    return data, issued_to


@require_GET
def download(request, token: str):
    try:
        data, _ = read_link(request, token, salt=_SALT)
    except LinkRefused as refused:
        return refused.response
    name = data["n"]
    if not default_storage.exists(name):
        raise Http404("No such file.")
    fh = default_storage.open(name, "rb")
    # The type comes from the bytes, never the name: only what the upload checks
    # produce (JPEG, PNG, WebP, PDF) is shown inline; anything else is a download.
    content_type = sniff_file(fh)
    as_attachment = (
        content_type is None or bool(data.get("a")) or request.GET.get("download") == "1"
    )
    response = FileResponse(fh, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, data.get("f") or download_name(name, None)
    )
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["Content-Security-Policy"] = file_csp(content_type, attachment=as_attachment)
    return response


def file_csp(content_type: str | None, *, attachment: bool) -> str:
    """The Content-Security-Policy of a file response: files are never pages."""
    if content_type and content_type.startswith("image/"):
        return IMAGE_CSP
    if content_type == "application/pdf" and not attachment:
        return PDF_CSP
    return ATTACHMENT_CSP
