"""Parallel wrong passwords against one account get no more password checks than the limit.

Before, the check read the count before the failure was recorded (and the
file cache's increment was not atomic): 30 parallel guesses all got a real
password check. Threads post to a live server on PostgreSQL; a counting
password hasher tells how many guesses were really checked.
"""

import http.client
import json
import threading
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import LiveServerTestCase, override_settings
from django.test.testcases import LiveServerThread

from clinic.accounts.models import User
from clinic.testing import using_postgres

GUESSES = 30
LIMIT = 10  # wrong passwords per account and client


class CountingHasher(MD5PasswordHasher):
    """MD5 that counts (and slows) every verification, to widen and measure the race."""

    algorithm = "counting_md5"
    checks = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.checks += 1
        time.sleep(0.05)
        return super().verify(password, encoded)


class _WideBacklogServer(ThreadedWSGIServer):
    request_queue_size = 64  # all the guesses connect at once


class _ServerThread(LiveServerThread):
    server_class = _WideBacklogServer


@pytest.mark.postgres
@pytest.mark.skipif(
    not using_postgres(), reason="needs PostgreSQL: set DATABASE_URL=postgres://..."
)
@override_settings(
    PASSWORD_HASHERS=["clinic.accounts.tests.test_login_race.CountingHasher"],
    AXES_FAILURE_LIMIT=LIMIT,
)
class LoginRaceTests(LiveServerTestCase):
    server_thread_class = _ServerThread

    def setUp(self):
        User.objects.create(
            username="dina",
            email="dina@example.com",
            password=make_password("Right-Horse-Battery-9", hasher="counting_md5"),
        )
        CountingHasher.checks = 0

    def _post(self, barrier, statuses, errors):
        host, port = self.live_server_url.removeprefix("http://").split(":")
        body = json.dumps({"username": "dina", "password": "wrong-guess"})
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.connect()  # connected first, so the requests leave together
            barrier.wait()
            connection.request(
                "POST", "/cms-api/login/", body, {"Content-Type": "application/json"}
            )
            statuses.append(connection.getresponse().status)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        finally:
            connection.close()

    def test_parallel_guesses_get_at_most_the_limit_of_password_checks(self):
        barrier = threading.Barrier(GUESSES)
        statuses, errors = [], []
        threads = [
            threading.Thread(target=self._post, args=(barrier, statuses, errors))
            for _ in range(GUESSES)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        limit = LIMIT
        self.assertEqual(errors, [])
        self.assertEqual(len(statuses), GUESSES)
        self.assertEqual(CountingHasher.checks, limit)
        self.assertEqual(statuses.count(400), limit - 1)  # the last checked one locks: 429
        self.assertEqual(statuses.count(429), GUESSES - limit + 1)
