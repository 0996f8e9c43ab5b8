"""API tokens are django-rest-knox tokens: hashed, expiring, one per device.

Old plain DRF tokens are moved into knox by accounts/0003, so clients stay logged in.
"""

import datetime as dt
import importlib

import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.authtoken.models import Token

from clinic.api.tests.base import ApiTestCase
from clinic.testing import PASSWORD, token_client

LOGIN = "/cms-api/login/"


class ApiTokenTests(ApiTestCase):
    def login(self) -> str:
        response = self.call("POST", LOGIN, {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["token"]

    def test_logout_ends_only_that_devices_token(self):
        phone, laptop = token_client(self.login()), token_client(self.login())
        self.assertEqual(phone.post("/cms-api/logout/").status_code, 200)
        self.assertEqual(phone.get("/cms-api/patient/").status_code, 401)
        self.assertEqual(laptop.get("/cms-api/patient/").status_code, 200)

    def test_a_token_expires(self):
        client = token_client(self.login())
        with time_machine.travel(dt.timedelta(days=31)):
            self.assertEqual(client.get("/cms-api/patient/").status_code, 401)
        self.assertEqual(AuthToken.objects.filter(user=self.alice.user).count(), 0)

    def test_the_lookup_is_one_query_with_the_patient_joined(self):
        client = token_client(self.login())
        token_client(self.login())  # another device: not read on this request
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(client.get("/cms-api/patient/").status_code, 200)
        self.assertEqual(len(queries), 1, [q["sql"] for q in queries])

    def test_a_wrong_or_malformed_token_is_refused(self):
        token = self.login()
        for bad in (token[:-1] + ("0" if token[-1] != "0" else "1"), "zz" * 40, "é"):
            with self.subTest(bad=bad):
                self.assertEqual(token_client(bad).get("/cms-api/patient/").status_code, 401)

    def test_the_migration_moves_old_tokens_and_clients_stay_logged_in(self):
        """A seed-era DRF token keeps working after accounts/0003, and is no longer stored."""
        old = Token.objects.create(user=self.alice.user)
        migration = importlib.import_module("clinic.accounts.migrations.0003_knox_tokens")
        migration.tokens_to_knox(apps, None)
        self.assertIs(Token.objects.filter(key=old.key).exists(), False)
        self.assertNotIn(old.key, str(list(AuthToken.objects.values_list())))
        self.assertEqual(token_client(old.key).get("/cms-api/patient/").status_code, 200)
