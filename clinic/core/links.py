"""Absolute links to the portal for messages (emails, SMS, calendar entries)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def portal_url(name: str, *args, fallback: str = "portal:dashboard") -> str:
    """PORTAL_BASE_URL + the path of portal page `name` (or of `fallback` if there is none)."""
    try:
        path = reverse(f"portal:{name}", args=args)
    except NoReverseMatch:
        path = reverse(fallback)
    return settings.PORTAL_BASE_URL + path


def absolute_url(path: str) -> str:
    """PORTAL_BASE_URL + a path of this site."""
    return settings.PORTAL_BASE_URL + path
