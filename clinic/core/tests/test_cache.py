"""The Redis cache fails open: against a real Redis it caches, without one it answers."""

import socket
import uuid
from unittest import mock

from django.test import SimpleTestCase

from clinic.core import cache as cache_module
from clinic.core.cache import ResilientRedisCache

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


def redis_cache(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(location, {"OPTIONS": OPTIONS, "KEY_PREFIX": uuid.uuid4().hex})


class ResilientRedisCacheTests(SimpleTestCase):
    def test_it_caches_in_a_running_redis(self):
        """With Redis up it is Django's Redis cache: values stay until deleted."""
        cache = redis_cache("redis://127.0.0.1:6379/0")
        calls = []
        build = lambda: calls.append(1) or ["rows"]  # noqa: E731
        self.assertEqual(cache.get_or_set("directory", build, 30), ["rows"])
        self.assertEqual(cache.get_or_set("directory", build, 30), ["rows"])
        self.assertEqual(len(calls), 1)
        cache.delete("directory")
        self.assertIsNone(cache.get("directory"))

    def test_it_answers_without_redis(self):
        """Redis unreachable: reads miss, writes are skipped, get_or_set computes."""
        cache = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
        with (
            mock.patch.object(cache_module, "_last_warning", 0.0),
            self.assertLogs("clinic.core.cache", "WARNING"),
        ):
            self.assertEqual(cache.get("k", "fallback"), "fallback")
        self.assertIsNone(cache.set("k", 1))
        self.assertIs(cache.add("k", 1), False)
        self.assertEqual(cache.get_many(["a", "b"]), {})
        self.assertIs(cache.delete("k"), False)
        cache.delete_many(["a", "b"])
        self.assertEqual(cache.get_or_set("directory", lambda: ["rows"], 30), ["rows"])
