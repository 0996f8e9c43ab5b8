"""Login and sign-up throttles, shared by the API and the web portal.

Failed logins count against the account tried (so a password cannot be
guessed from many addresses), and every attempt counts against the client's
address with a generous limit (a front desk behind one IP address logs in
hundreds of patients an hour). Counters are fixed windows in Django's cache:
`add` + `incr` are atomic on Redis and in the local-memory cache. Rates are the
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] settings, read at call time.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

from clinic.core.errors import Throttled

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(scope: str) -> tuple[int, int]:
    """("10/hour") -> (10, 3600)."""
    count, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # no raw logins in cache keys
    return f"throttle:{scope}:{digest}:{window}"


def _window(period: int) -> tuple[int, int]:
    """The current window's index and the seconds until it ends."""
    now = time.time()
    index = int(now // period)
    return index, max(1, int((index + 1) * period - now))


def _count(scope: str, ident: str) -> tuple[int, int, int]:
    """(hits in this window, limit, seconds left)."""
    limit, period = _rate(scope)
    index, left = _window(period)
    return cache.get(_key(scope, ident, index), 0), limit, left


def _hit(scope: str, ident: str) -> int:
    limit, period = _rate(scope)
    index, _ = _window(period)
    key = _key(scope, ident, index)
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


def _account(login: str) -> str:
    """One identity per account, whether it is tried by username or by email."""
    login = (login or "").strip()
    User = get_user_model()
    try:
        return f"user:{User.objects.get_by_login(login).pk}"
    except (User.DoesNotExist, User.MultipleObjectsReturned):
        return f"login:{login.lower()}"


def _refuse(left: int) -> Throttled:
    minutes = max(1, round(left / 60))
    return Throttled(
        f"Too many login attempts. Try again in about {minutes} minute(s).", retry_after=left
    )


def login_attempt_check(*, login: str, client_ip: str) -> None:
    """Count this attempt for the client; raise Throttled if the client or account is over."""
    hits, limit, left = _count("login_account", _account(login))
    if hits >= limit:
        raise _refuse(left)
    client_hits = _hit("login_client", client_ip or "unknown")
    client_limit, _ = _rate("login_client")
    if client_hits > client_limit:
        raise _refuse(_window(_rate("login_client")[1])[1])


def login_failure_record(*, login: str, client_ip: str) -> None:
    """A wrong password (or unknown login) counts against the account tried."""
    _hit("login_account", _account(login))


def login_success(*, login: str) -> None:
    """A good login forgives the account's earlier failures."""
    limit, period = _rate("login_account")
    index, _ = _window(period)
    cache.delete(_key("login_account", _account(login), index))


def signup_attempt_check(*, client_ip: str) -> None:
    """Count a sign-up attempt for the client; raise Throttled over the (generous) limit."""
    hits = _hit("signup_client", client_ip or "unknown")
    limit, period = _rate("signup_client")
    if hits > limit:
        left = _window(period)[1]
        raise Throttled(
            f"Too many sign-ups from this address. Try again in {left} seconds.", retry_after=left
        )


def client_ip_of(request) -> str:
    """The client's address. Behind a proxy (SECURE_PROXY_SSL_HEADER set), the proxy's view."""
    meta = request.META
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        # The rightmost entry is the one the trusted proxy appended; the rest is client-made.
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "") or "unknown"
