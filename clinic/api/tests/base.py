"""Helpers for the API tests: send any method with a JSON body, as the seed's clients do."""

import datetime as dt
import json

import time_machine
from django.core.cache import cache

from clinic.appointments.models import Appointment
from clinic.core.models import AuditEvent
from clinic.testing import FIXED_NOW, PASSWORD, BaseTestCase, api_client

MONDAY = FIXED_NOW.date()
TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


class ApiTestCase(BaseTestCase):
    """BaseTestCase with time frozen at FIXED_NOW, a clean cache and JSON helpers."""

    def setUp(self):
        super().setUp()
        cache.clear()  # throttle counters must not leak between tests
        traveller = time_machine.travel(FIXED_NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def call(self, method, path, body=None, *, user=None, raw=None, content_type="application/json",
             client=None, **extra):
        """`body` is sent as JSON (also with GET and DELETE); `raw` is sent as is."""
        client = client or api_client(user)
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return client.generic(method.upper(), path, data=data, content_type=content_type, **extra)

    def assertError(self, response, status: int, fragment: str = ""):
        """The response is the contract's error shape with `status`, mentioning `fragment`."""
        self.assertEqual(response.status_code, status, response.content)
        body = response.json()
        self.assertIsInstance(body.get("ERR"), str)
        self.assertIn(fragment, body["ERR"])
        self.assertNotIn("Traceback", response.content.decode())
        return body

    def assertNoSecrets(self, response, *secrets):
        """No password key or value and no password hash in a response body."""
        text = response.content.decode().lower()
        self.assertNotIn('"password"', text)
        for secret in (PASSWORD, *secrets):
            self.assertNotIn(secret.lower(), text)
        self.assertNotIn("md5$", text)
        self.assertNotIn("pbkdf2", text)
        self.assertNotIn("argon2", text)

    def snapshot(self):
        """Rows that an error must leave untouched."""
        return (
            list(Appointment.objects.order_by("pk").values_list("pk", "status", "date", "start")),
            AuditEvent.objects.count(),
        )
