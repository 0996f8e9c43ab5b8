"""The throttled login: one sequence for every login form (API, portal, admin).

Three limits, each keyed on what is tried (the contract's "Everywhere"):
- per account and client: django-axes locks (account, client address) after
  AXES_FAILURE_LIMIT wrong passwords for AXES_COOLOFF_TIME. Ten wrong
  passwords from an attacker's address no longer lock the owner out.
- per account, from anywhere: a higher ceiling of failures
  (THROTTLE_LOGIN_ACCOUNT), so many addresses cannot guess without end.
- per client: every attempt counts against a generous limit
  (THROTTLE_LOGIN_CLIENT), enough for a front desk logging in hundreds of
  patients an hour behind one address.

Checks that read before they record let parallel guesses through, so the
attempt on one account runs under a lock on the account's row: axes' check,
the password check and axes' record happen one attempt after another, and
30 parallel guesses get exactly AXES_FAILURE_LIMIT password checks. The
client count is an atomic increment (clinic.core.throttle). Axes counts in
the database; the other counters in Redis or the database.
"""

import ipaddress
import math
import unicodedata

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction

from clinic.core import clock
from clinic.core.errors import InvalidInput, Throttled
from clinic.core.throttle import throttle_check, throttle_hit, throttle_peek, throttle_reset

WRONG = "Unable to log in with the provided username and password."


# Stands for "no usable address": axes stores the address in an inet column on
# PostgreSQL, so whatever this returns must parse as an IP address.
NO_ADDRESS = "0.0.0.0"


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip_of(request) -> str:
    """The client's address. Behind a proxy (SECURE_PROXY_SSL_HEADER set), the proxy's view."""
    meta = request.META
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        # The rightmost entry is the one the trusted proxy appended; the rest is client-made.
        forwarded = _address(meta["HTTP_X_FORWARDED_FOR"].split(",")[-1])
        if forwarded:
            return forwarded
    return _address(meta.get("REMOTE_ADDR") or "") or NO_ADDRESS


def account_key(request, credentials) -> str:
    """Axes' name for the account tried (AXES_USERNAME_CALLABLE).

    `Alice`, `ＡＬＩＣＥ` and alice's email are one account: the account's own
    username when the login names one, else the folded login.
    """
    login = (credentials or {}).get("username") or ""
    folded = unicodedata.normalize("NFKC", login if isinstance(login, str) else "").strip()
    cache = request.__dict__.setdefault("_clinic_account_keys", {}) if request else {}
    if folded not in cache:
        User = get_user_model()
        try:
            cache[folded] = User.objects.get_by_login(folded).username.lower()
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            cache[folded] = folded.lower()
    return cache[folded]


def _retry_after(request, key: str, client: str) -> int:
    """Seconds until axes lets this account and client try again."""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(username=key, ip_address=client)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if cool_off is None or last is None:
        return 3600
    return max(1, math.ceil((last + cool_off - clock.now()).total_seconds()))


def _refuse(retry_after: int) -> Throttled:
    minutes = max(1, round(retry_after / 60))
    return Throttled(
        f"Too many login attempts. Try again in about {minutes} minute(s).",
        retry_after=retry_after,
    )


def account_login(*, request, login: str, password: str):
    """The user for a login (username or email) and password, within the limits.

    `request` is Django's HttpRequest. Raises Throttled when a limit is
    reached, InvalidInput for a wrong login or password (one message for both).
    """
    client = client_ip_of(request)
    throttle_check(
        scope="login_client",
        ident=client,
        message="Too many login attempts from this address. Try again later.",
    )
    User = get_user_model()
    key = account_key(request, {"username": login})
    with transaction.atomic():
        # One attempt at a time per account: see the module docstring.
        account = User.objects.select_for_update().filter(username__iexact=key).first()
        ceiling = throttle_peek(scope="login_account", ident=key)
        if account is not None and ceiling.count >= ceiling.limit:
            outcome = "ceiling"
        else:
            user = authenticate(request, username=login, password=password)
            if user is not None:
                outcome = "ok"
            elif getattr(request, "axes_locked_out", False):
                outcome = "locked"
            else:
                outcome = "wrong"
                throttle_hit(scope="login_account", ident=key)
    if outcome == "ceiling":
        raise _refuse(ceiling.retry_after)
    if outcome == "locked":
        raise _refuse(_retry_after(request, key, client))
    if outcome == "wrong":
        raise InvalidInput(WRONG)
    # A good login forgives the failures of this account: this client's lock
    # count and the ceiling. Other clients' failures stay counted.
    AccessAttempt.objects.filter(username=key, ip_address=client).delete()
    throttle_reset(scope="login_account", ident=key)
    return user


def lockout_response(request, original_response, credentials):
    """Axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE).

    The login view already rendered the refusal (the API's 429 JSON, the
    portal's and the admin's form with the message); axes only makes sure it
    is a 429 with Retry-After, whatever the form.
    """
    from django.http import HttpResponse

    response = original_response or HttpResponse("Too many login attempts.", status=429)
    response.status_code = 429
    if not response.has_header("Retry-After"):
        key = account_key(request, credentials)
        response["Retry-After"] = str(_retry_after(request, key, client_ip_of(request)))
    return response
