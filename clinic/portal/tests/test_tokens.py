"""Profile → signed-in apps: the patient's own API tokens, listed and revocable."""

from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.accounts.services import token_for
from clinic.core.models import AuditEvent
from clinic.portal.tests.base import PortalTestCase

PAGE = reverse("portal:api_tokens")
REVOKE_ALL = reverse("portal:api_tokens_revoke_all")


def revoke_url(token: str) -> str:
    return reverse("portal:api_token_revoke", args=[AuthToken.objects.get(
        token_key=token[:15]).token_key])


def api_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/cms-api/patient/").status_code


class ApiTokenPageTests(PortalTestCase):
    def test_it_lists_only_the_patients_own_tokens_and_never_a_secret(self):
        mine = [token_for(user=self.alice.user) for _ in range(2)]
        theirs = token_for(user=self.bob.user)
        self.login()
        response = self.client.get(PAGE)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)
        body = response.content.decode()
        for token in mine:
            self.assertIn(token[:8], body)
            self.assertNotIn(token, body)
        self.assertNotIn(theirs[:8], body)
        for digest in AuthToken.objects.values_list("digest", flat=True):
            self.assertNotIn(digest, body)
            self.assertNotIn(digest[:16], body)
        self.assertEqual(len(response.context["tokens"]), 2)

    def test_the_profile_links_to_it(self):
        self.login()
        self.assertContains(self.client.get(reverse("portal:profile")), PAGE)

    def test_revoke_ends_that_token_only(self):
        phone, laptop = token_for(user=self.alice.user), token_for(user=self.alice.user)
        self.assertEqual(api_status(phone), 200)
        self.login()
        response = self.client.post(revoke_url(phone), follow=True)
        self.assertRedirects(response, PAGE)
        self.assertContains(response, "That device is signed out.")
        self.assertEqual(api_status(phone), 401)
        self.assertEqual(api_status(laptop), 200)
        self.assertTrue(AuditEvent.objects.filter(action="account.token_revoked").exists())

    def test_revoke_all_ends_every_own_token_and_no_one_elses(self):
        mine = [token_for(user=self.alice.user) for _ in range(3)]
        theirs = token_for(user=self.bob.user)
        self.login()
        response = self.client.post(REVOKE_ALL, follow=True)
        self.assertContains(response, "Signed out of 3 devices.")
        for token in mine:
            self.assertEqual(api_status(token), 401)
        self.assertEqual(api_status(theirs), 200)
        self.assertContains(response, "No app or device is signed in")

    def test_another_patients_token_cannot_be_revoked(self):
        theirs = token_for(user=self.bob.user)
        self.login()
        response = self.client.post(revoke_url(theirs))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(api_status(theirs), 200)
        missing = reverse("portal:api_token_revoke", args=["0" * 15])
        self.assertEqual(self.client.post(missing).status_code, 404)

    def test_revoking_needs_a_post_with_the_csrf_token(self):
        token = token_for(user=self.alice.user)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice.user)
        self.assertEqual(client.get(revoke_url(token)).status_code, 405)
        self.assertEqual(client.post(revoke_url(token)).status_code, 403)
        self.assertEqual(client.post(REVOKE_ALL).status_code, 403)
        self.assertEqual(api_status(token), 200)
        csrf = client.get(PAGE).context["csrf_token"]
        response = client.post(revoke_url(token), {"csrfmiddlewaretoken": str(csrf)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(api_status(token), 401)

    def test_anonymous_visitors_go_to_login(self):
        response = self.client.get(PAGE)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("portal:login"), response["Location"])

    def test_the_query_count_does_not_grow_with_the_tokens(self):
        token_for(user=self.alice.user)
        self.login()
        self.client.get(PAGE)  # warm the session
        with self.assertNumQueries(7) as first:
            self.assertEqual(self.client.get(PAGE).status_code, 200)
        for _ in range(5):
            token_for(user=self.alice.user)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(PAGE)
        self.assertEqual(len(response.context["tokens"]), 6)
