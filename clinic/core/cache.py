"""Django's Redis cache, failing open: a Redis outage costs speed, never an answer.

The default cache only holds copies (the doctor directory and weeks, see
clinic/doctors/cache.py; API tokens, clinic/accounts/token_cache.py), so while
Redis is unreachable a read is a miss and a write or delete is skipped, and every
request is answered from the database. Limits that guard security are not kept
in this cache (docs/deployment.md, "When Redis stops").

Redis started again with no data (as deployed, it keeps nothing on disk) holds
no stale copy; one that was only cut off keeps what it had for at most the
entries' TTL, which is why the doctor cache's TTL is short, and the token
cache's (a token revoked while Redis was cut off) shorter still.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# One warning per process per this many seconds, not one per request.
_WARN_EVERY = 30.0
_last_warning = 0.0
_MISSING = object()


def _warn(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning("cache unreachable (%s: %s); answering without it", operation, error)


def _failing_open(default):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                _warn(method.__name__, error)
                return default(*args, **kwargs) if callable(default) else default

        return wrapper

    return decorate


def _default_of_get(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    get = _failing_open(_default_of_get)(RedisCache.get)
    get_many = _failing_open(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _failing_open(False)(RedisCache.has_key)
    add = _failing_open(False)(RedisCache.add)
    set = _failing_open(None)(RedisCache.set)
    set_many = _failing_open(lambda *a, **k: [])(RedisCache.set_many)
    touch = _failing_open(False)(RedisCache.touch)
    delete = _failing_open(False)(RedisCache.delete)
    delete_many = _failing_open(None)(RedisCache.delete_many)
    clear = _failing_open(False)(RedisCache.clear)

    def get_or_set(self, key, default, timeout=None, version=None):
        # BaseCache.get_or_set would call add(), then get() again: with Redis down
        # that second get() is a miss, and the value just computed would be lost.
        value = self.get(key, _MISSING, version=version)
        if value is _MISSING:
            value = default() if callable(default) else default
            self.add(key, value, timeout=timeout, version=version)
        return value
