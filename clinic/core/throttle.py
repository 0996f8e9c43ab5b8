"""One fixed-window counter for every throttle (logins, sign-ups, OTP sends and checks).

A hit increments the counter of the current window in one atomic step and
returns the new count, so the decision is made on a number no concurrent
request can also have seen: 30 parallel attempts get 30 different counts.
The store is shared by every process on every machine: Redis (INCR) when
REDIS_URL is set, otherwise the database (one INSERT ... ON CONFLICT DO UPDATE
... RETURNING, on PostgreSQL and SQLite alike). Never a per-process or
file cache, whose get-then-set increments lose hits.

Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "10/hour"),
read at call time. Identities are hashed: no login, IP or address is stored.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import math
import random

from django.conf import settings
from django.db import connection, transaction

from clinic.core import clock
from clinic.core.errors import Throttled
from clinic.core.models import ThrottleCounter

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PURGE_CHANCE = 0.01
logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Window:
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def over(self) -> bool:
        return self.count > self.limit


def rate(scope: str) -> tuple[int, int]:
    """The scope's (limit, period in seconds): "10/hour" -> (10, 3600)."""
    count, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def _window(scope: str, ident: str) -> tuple[str, int, int, int]:
    """(key, limit, period, seconds left) of the current window."""
    limit, period = rate(scope)
    now = clock.now().timestamp()
    index = int(now // period)
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:40]
    left = max(1, math.ceil((index + 1) * period - now))
    return f"throttle:{scope}:{digest}:{index}", limit, period, left


@functools.cache
def _redis(url: str):
    import redis

    # A Redis that stops answering costs a request half a second, then the database counts.
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis_down(error: Exception) -> None:
    logger.warning("throttle: Redis unreachable (%s); counting in the database", error)


def _unreachable():
    from redis.exceptions import ConnectionError, TimeoutError

    return ConnectionError, TimeoutError, OSError


def _redis_url() -> str:
    return getattr(settings, "REDIS_URL", "") or ""


def _incr(key: str, period: int, by: int) -> int:
    url = _redis_url()
    if url:
        # Limits hold while Redis is down: the database counts until it is back (the
        # windows then restart from what each store saw), never a 500 and never no limit.
        try:
            client = _redis(url)
            with client.pipeline() as pipe:  # MULTI/EXEC: the count and its expiry together
                pipe.incrby(key, by)
                pipe.expire(key, period + 1, nx=True)
                count, _ = pipe.execute()
            return int(count)
        except _unreachable() as error:
            _redis_down(error)
    return _incr_in_database(key, period, by)


def _incr_in_database(key: str, period: int, by: int) -> int:
    expires = clock.now() + dt.timedelta(seconds=period + 1)
    q = connection.ops.quote_name
    table, k, n, e = q(ThrottleCounter._meta.db_table), q("key"), q("count"), q("expires_at")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {n}, {e}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({k}) DO UPDATE SET {n} = {table}.{n} + EXCLUDED.{n} "
            f"RETURNING {n}",
            [key, by, expires],
        )
        count = cursor.fetchone()[0]
    if random.random() < PURGE_CHANCE:
        ThrottleCounter.objects.filter(expires_at__lt=clock.now()).delete()
    return int(count)


def throttle_hit(*, scope: str, ident: str) -> Window:
    """Count one hit for `ident` in `scope` and return the window with it."""
    key, limit, period, left = _window(scope, ident or "unknown")
    return Window(count=_incr(key, period, 1), limit=limit, retry_after=left)


def throttle_peek(*, scope: str, ident: str) -> Window:
    """The window as it stands, without counting."""
    key, limit, _, left = _window(scope, ident or "unknown")
    url = _redis_url()
    if url:
        try:
            return Window(count=int(_redis(url).get(key) or 0), limit=limit, retry_after=left)
        except _unreachable() as error:
            _redis_down(error)
    row = ThrottleCounter.objects.filter(key=key).values_list("count", flat=True).first()
    return Window(count=row or 0, limit=limit, retry_after=left)


def throttle_reset(*, scope: str, ident: str) -> None:
    """Forget the current window (a good login forgives the earlier failures)."""
    key, *_ = _window(scope, ident or "unknown")
    url = _redis_url()
    if url:
        try:
            _redis(url).delete(key)
            return
        except _unreachable() as error:
            _redis_down(error)
    ThrottleCounter.objects.filter(key=key).delete()


def throttle_check(*, scope: str, ident: str, message: str) -> Window:
    """Count a hit; raise Throttled(message) once the window is over its limit."""
    window = throttle_hit(scope=scope, ident=ident)
    if window.over:
        raise Throttled(message, retry_after=window.retry_after)
    return window
