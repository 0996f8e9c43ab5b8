"""API tokens served from the shared cache: no query once found, and every way a token
ends (or its account or profile changes) reaches the next request at once."""

import datetime as dt
import logging
import pickle
import tempfile
import time
import zlib
from pathlib import Path

import time_machine
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.accounts import token_cache
from clinic.accounts.services import (
    password_set,
    token_for,
    token_revoke_own,
    tokens_revoke_own_all,
)
from clinic.api.tests.base import ApiTestCase
from clinic.patients.models import Patient
from clinic.patients.services import patient_phone_mark_verified
from clinic.testing import make_patient, token_client

PROFILE = "/cms-api/patient/"


class TokenCacheTests(ApiTestCase):
    def warm(self, token: str) -> APIClient:
        """A client whose token is in the cache now (so a refusal below is the cache's)."""
        client = token_client(token)
        self.assertEqual(client.get(PROFILE).status_code, 200)
        self.assertIsInstance(cache.get(token_cache._key(hash_token(token))), tuple)
        return client

    def marker_expires(self, token: str):
        """What MARKER_TTL seconds do: the next lookup may store the token again."""
        self.assertEqual(cache.get(token_cache._key(hash_token(token))), token_cache._FORGOTTEN)
        cache.delete(token_cache._key(hash_token(token)))

    def test_a_found_token_is_served_with_no_query(self):
        """The first request looks the token up (one query), the next ones make none."""
        client = token_client(token_for(user=self.alice.user))
        with CaptureQueriesContext(connection) as first:
            self.assertEqual(client.get(PROFILE).status_code, 200)
        self.assertEqual(len(first), 1)
        for _ in range(3):
            with CaptureQueriesContext(connection) as later:
                response = client.get(PROFILE)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(later), 0, [q["sql"] for q in later])
        self.assertEqual(response.json()["user"]["username"], self.alice.user.username)

    def test_the_cached_profile_is_the_profile(self):
        """Every field served from the cache equals the row's; notes are loaded when read."""
        token = token_for(user=self.alice.user)
        self.warm(token)
        cached = token_cache.cached_token(hash_token(token), token_key=token[:15])
        fresh = Patient.objects.get(pk=self.alice.pk)
        for field in Patient._meta.concrete_fields:
            with self.subTest(field=field.name):
                self.assertEqual(getattr(cached.user.patient, field.attname),
                                 getattr(fresh, field.attname))
        self.assertEqual(cached.user.password, self.alice.user.password)  # one query
        self.assertIs(cached.user.patient.user, cached.user)

    def test_every_way_a_token_ends_refuses_the_next_request(self):
        def logout(user, token):
            token_client(token).post("/cms-api/logout/")

        def portal_revoke(user, token):
            token_revoke_own(user=user, token_key=token[:15])

        def portal_revoke_all(user, token):
            tokens_revoke_own_all(user=user)

        def password_change(user, token):
            password_set(user=user, password="An0ther-Long-Passphrase")

        def deactivated(user, token):
            user.is_active = False
            user.save(update_fields=["is_active"])

        def admin_deletes_it(user, token):
            AuthToken.objects.get(token_key=token[:15]).delete()

        def expired_ones_swept(user, token):
            with time_machine.travel(dt.timedelta(days=31)):
                AuthToken.objects.filter(expiry__lt=timezone.now()).delete()

        def user_deleted(user, token):
            user.delete()

        paths = [logout, portal_revoke, portal_revoke_all, password_change, deactivated,
                 admin_deletes_it, expired_ones_swept, user_deleted]
        for end in paths:
            with self.subTest(end.__name__), self.captureOnCommitCallbacks(execute=True):
                user = make_patient().user
                token = token_for(user=user)
                client = self.warm(token)
                end(user, token)
                self.assertEqual(client.get(PROFILE).status_code, 401)
                self.assertEqual(client.get(PROFILE).status_code, 401)

    def test_the_portal_revoke_buttons_reach_the_cache(self):
        """The portal's own views: revoke one, then revoke all."""
        portal = Client()
        portal.force_login(self.alice.user)  # saves last_login: forgets entries before
        one, other = token_for(user=self.alice.user), token_for(user=self.alice.user)
        one_client, other_client = self.warm(one), self.warm(other)
        token_key = AuthToken.objects.get(token_key=one[:15]).token_key
        portal.post(reverse("portal:api_token_revoke", args=[token_key]))
        self.assertEqual(one_client.get(PROFILE).status_code, 401)
        self.assertEqual(self.warm(other).get(PROFILE).status_code, 200)
        portal.post(reverse("portal:api_tokens_revoke_all"))
        self.assertEqual(other_client.get(PROFILE).status_code, 401)

    def test_an_expired_cached_token_is_refused_and_deleted(self):
        token = token_for(user=self.alice.user)
        client = self.warm(token)
        with time_machine.travel(dt.timedelta(days=31)):
            self.assertEqual(client.get(PROFILE).status_code, 401)
        self.assertIs(AuthToken.objects.filter(token_key=token[:15]).exists(), False)
        self.assertEqual(client.get(PROFILE).status_code, 401)

    def test_profile_changes_are_served_at_once(self):
        """A save, an update() and a verification that moves to another record: the
        next request reads the changed profile."""
        token = token_for(user=self.alice.user)
        client = self.warm(token)
        self.alice.address = "2 New Street"
        self.alice.save()
        self.assertEqual(client.get(PROFILE).json()["address"], "2 New Street")
        self.assertEqual(client.get(PROFILE).json()["address"], "2 New Street")

        Patient.objects.filter(pk=self.alice.pk).update(address="3 Updated Road")
        self.assertEqual(client.get(PROFILE).json()["address"], "3 Updated Road")

        Patient.objects.filter(pk=self.alice.pk).update(phone_verified=True)
        other = make_patient(phone=str(self.alice.phone))
        self.marker_expires(token)
        self.warm(token)
        patient_phone_mark_verified(patient=other)  # alice's row loses it, by update()
        cached = token_cache.cached_token(hash_token(token), token_key=token[:15])
        self.assertIsNone(cached)
        self.marker_expires(token)
        self.warm(token)
        cached = token_cache.cached_token(hash_token(token), token_key=token[:15])
        self.assertIs(cached.user.patient.phone_verified, False)

    def test_a_record_moved_to_another_login_leaves_the_old_one(self):
        """The admin relinks a record: the old login no longer reaches it, even cached."""
        token = token_for(user=self.alice.user)
        client = self.warm(token)
        newcomer = make_patient()
        newcomer_user = newcomer.user
        newcomer.delete()
        patient = Patient.objects.get(pk=self.alice.pk)
        patient.user = newcomer_user
        patient.save()
        self.assertEqual(client.get(PROFILE).status_code, 403)
        self.assertEqual(token_client(token_for(user=newcomer_user)).get(PROFILE).json()["id"],
                         self.alice.pk)

    def test_a_lookup_that_began_before_a_revocation_does_not_store_it(self):
        """The marker a revocation leaves is never overwritten by a lookup, and a lookup
        too old to be sure of the marker stores nothing."""
        token = token_for(user=self.alice.user)
        found = AuthToken.objects.select_related("user__patient").get(token_key=token[:15])
        began = time.monotonic()
        token_cache.api_tokens_forget(digests=[found.digest])  # the revocation
        token_cache.remember(found, looked_up_at=began)
        self.assertIsNone(token_cache.cached_token(found.digest, token_key=token[:15]))
        cache.clear()
        token_cache.remember(found, looked_up_at=began - token_cache.STORE_WITHIN - 1)
        self.assertIsNone(cache.get(token_cache._key(found.digest)))

    def test_a_revocation_is_forgotten_again_after_the_commit(self):
        """A request that stored the token while the revocation's transaction ran loses
        it when the revocation commits."""
        token = token_for(user=self.alice.user)
        found = AuthToken.objects.select_related("user__patient").get(token_key=token[:15])
        with self.captureOnCommitCallbacks(execute=True):
            AuthToken.objects.filter(pk=found.pk).delete()
            cache.set(token_cache._key(found.digest), "stored by a racing request")
        self.assertIsNone(token_cache.cached_token(found.digest, token_key=token[:15]))


class SharedCacheTests(ApiTestCase):
    """With the production default (files shared by every worker), as another worker
    reads it: a second cache instance over the same store."""

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        files = {"default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": folder.name,
        }}
        settings = override_settings(CACHES=files)
        settings.enable()
        self.addCleanup(settings.disable)
        super().setUp()

    def stored(self) -> bytes:
        """Every file of the cache, names and unpickled contents' bytes."""
        stored = b""
        for path in self.folder.iterdir():
            with path.open("rb") as f:
                pickle.load(f)  # the expiry
                stored += path.name.encode() + zlib.decompress(f.read())
        return stored

    def other_worker(self):
        return FileBasedCache(str(self.folder), {})

    def test_another_worker_sees_the_token_and_its_revocation(self):
        token = token_for(user=self.alice.user)
        client = token_client(token)
        key = token_cache._key(hash_token(token))
        self.assertEqual(client.get(PROFILE).status_code, 200)
        self.assertIsInstance(self.other_worker().get(key), tuple)
        with self.captureOnCommitCallbacks(execute=True):
            client.post("/cms-api/logout/")
        self.assertEqual(self.other_worker().get(key), token_cache._FORGOTTEN)
        self.assertEqual(client.get(PROFILE).status_code, 401)

    def test_nothing_secret_is_stored_or_logged(self):
        """Keys and entries hold no token, digest, password hash or clinical note, and
        nothing of them is logged."""
        self.alice.allergies = "Penicillin"
        self.alice.save()
        token = token_for(user=self.alice.user)
        digest = hash_token(token)
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("clinic").debug("start")
            client = token_client(token)
            for _ in range(2):
                self.assertEqual(client.get(PROFILE).status_code, 200)
            stored = self.stored()
            client.post("/cms-api/logout/")
            stored += self.stored()
        self.assertIn(self.alice.user.username.encode(), stored)  # the entry was there
        for secret in (token, digest, token[:15], self.alice.user.password, "Penicillin"):
            self.assertNotIn(secret.encode(), stored)
            self.assertNotIn(secret, "\n".join(logs.output))
        self.assertNotIn(digest, token_cache._key(digest))
