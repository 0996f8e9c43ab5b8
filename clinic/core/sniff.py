"""What a stored file really is, read from its first bytes (never from its name)."""

# The only types served inline: what clinic.core.uploads produces. Anything else
# (HTML, SVG, scripts, files stored before uploads were checked) is an attachment.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
HEAD_BYTES = 16


def sniff_safe_type(head: bytes) -> str | None:
    """The MIME type of a JPEG, PNG, WebP or PDF starting with `head`; None for anything else."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def sniff_file(fh) -> str | None:
    """sniff_safe_type of an open binary file; leaves it at the start."""
    head = fh.read(HEAD_BYTES)
    fh.seek(0)
    return sniff_safe_type(head)
