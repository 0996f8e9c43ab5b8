"""The shared fixed-window counter: atomic in the database and in Redis.

Every hit gets its own count, so a limit of N lets exactly N through, however
many requests arrive at once and in however many processes.
"""

import threading

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from clinic.core import throttle
from clinic.core.errors import Throttled
from clinic.core.models import ThrottleCounter
from clinic.core.throttle import throttle_check, throttle_hit, throttle_peek, throttle_reset
from clinic.testing import FIXED_NOW, using_postgres

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own for these tests


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    )


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


class CounterBehaviour:
    """The same rules for both stores; subclasses pick the store."""

    def test_it_counts_hits_per_identity(self):
        with _rates(demo="3/hour"):
            self.assertEqual(throttle_hit(scope="demo", ident="a").count, 1)
            self.assertEqual(throttle_hit(scope="demo", ident="a").count, 2)
            self.assertEqual(throttle_hit(scope="demo", ident="b").count, 1)
            self.assertEqual(throttle_peek(scope="demo", ident="a").count, 2)

    def test_it_raises_over_the_limit_with_the_time_left(self):
        with _rates(demo="2/hour"), time_machine.travel(FIXED_NOW, tick=False):
            throttle_check(scope="demo", ident="a", message="no")
            throttle_check(scope="demo", ident="a", message="no")
            with self.assertRaisesMessage(Throttled, "no") as caught:
                throttle_check(scope="demo", ident="a", message="no")
        # Windows start on the UTC hour; FIXED_NOW (08:00 in Kolkata) is 02:30 UTC.
        self.assertEqual(caught.exception.retry_after, 1800)

    def test_a_new_window_starts_from_zero(self):
        with _rates(demo="2/minute"), time_machine.travel(FIXED_NOW, tick=False) as clock:
            throttle_hit(scope="demo", ident="a")
            throttle_hit(scope="demo", ident="a")
            clock.shift(60)
            self.assertEqual(throttle_hit(scope="demo", ident="a").count, 1)

    def test_reset_forgets_the_window(self):
        with _rates(demo="2/hour"):
            throttle_hit(scope="demo", ident="a")
            throttle_reset(scope="demo", ident="a")
            self.assertEqual(throttle_peek(scope="demo", ident="a").count, 0)


class DatabaseCounterTests(CounterBehaviour, TestCase):
    def test_no_identity_is_stored_in_clear(self):
        with _rates(demo="2/hour"):
            throttle_hit(scope="demo", ident="alice@example.com")
        (key,) = ThrottleCounter.objects.values_list("key", flat=True)
        self.assertNotIn("alice", key)


@pytest.mark.skipif(not _redis_available(), reason="needs Redis at 127.0.0.1:6379")
@override_settings(REDIS_URL=REDIS_URL)
class RedisCounterTests(CounterBehaviour, SimpleTestCase):
    def setUp(self):
        redis.Redis.from_url(REDIS_URL).flushdb()
        self.addCleanup(redis.Redis.from_url(REDIS_URL).flushdb)

    def test_it_writes_nothing_to_the_database(self):
        with _rates(demo="2/hour"):
            throttle_hit(scope="demo", ident="a")
        self.assertEqual(redis.Redis.from_url(REDIS_URL).dbsize(), 1)


def _race(threads: int) -> list[int]:
    """`threads` hits at the same moment, each on its own connection."""
    barrier = threading.Barrier(threads)
    counts, errors = [], []

    def hit():
        try:
            barrier.wait()
            counts.append(throttle_hit(scope="demo", ident="x").count)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    return sorted(counts)


@pytest.mark.postgres
@pytest.mark.skipif(
    not using_postgres(), reason="needs PostgreSQL: set DATABASE_URL=postgres://..."
)
class DatabaseCounterRaceTests(TransactionTestCase):
    def test_concurrent_hits_each_get_their_own_count(self):
        """30 hits at once on PostgreSQL: the counts are 1..30, none lost, none shared."""
        with _rates(demo="10/hour"):
            self.assertEqual(_race(30), list(range(1, 31)))


@pytest.mark.skipif(not _redis_available(), reason="needs Redis at 127.0.0.1:6379")
@override_settings(REDIS_URL=REDIS_URL)
class RedisCounterRaceTests(SimpleTestCase):
    def setUp(self):
        redis.Redis.from_url(REDIS_URL).flushdb()

    def test_concurrent_hits_each_get_their_own_count(self):
        with _rates(demo="10/hour"):
            self.assertEqual(_race(30), list(range(1, 31)))


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisDownTests(TestCase):
    """With Redis unreachable the limits still hold: the database counts meanwhile."""

    def test_it_counts_in_the_database_when_redis_is_unreachable(self):
        down = f"redis://127.0.0.1:{_closed_port()}/0"
        throttle._redis.cache_clear()
        self.addCleanup(throttle._redis.cache_clear)
        with override_settings(REDIS_URL=down), self.assertLogs("clinic.core.throttle", "WARNING"):
            counts = [
                throttle.throttle_hit(scope="login_account", ident="x").count for _ in range(3)
            ]
            peek = throttle.throttle_peek(scope="login_account", ident="x").count
        self.assertEqual(counts, [1, 2, 3])
        self.assertEqual(peek, 3)
