"""Helpers for the workspace's browser tests (not a test module): signed-in staff pages,
axe checks. Staff sessions are made verified, as the sign-in leaves them."""

from django.conf import settings
from django.test import Client

from clinic.testing import verified_login


def staff_log_in(page, live_server, user) -> None:
    """A verified staff session for `user` (password and code passed), as a cookie."""
    client = Client()
    verified_login(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
