"""The consent screen's access rules, the Connected apps page and revoking, discovery."""

import datetime as dt

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from clinic.testing import BaseTestCase, make_patient, make_staff

REDIRECT = "https://app.example.com/callback"


def make_app(name="Health diary"):
    return Application.objects.create(
        name=name, client_type=Application.CLIENT_PUBLIC, redirect_uris=REDIRECT,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, algorithm="",
    )


def make_token(*, user, app, value, scope="launch/patient patient/*.read"):
    access = AccessToken.objects.create(
        user=user, application=app, token=value, scope=scope,
        expires=timezone.now() + dt.timedelta(hours=1),
    )
    RefreshToken.objects.create(user=user, application=app, token=f"r-{value}",
                                access_token=access)
    return access


class ConnectedAppsTests(BaseTestCase):
    def setUp(self):
        self.pat = make_patient(first_name="Ana")
        self.other = make_patient(first_name="Ben")
        self.diary = make_app()
        self.tracker = make_app("Step tracker")
        make_token(user=self.pat.user, app=self.diary, value="pat-diary")
        make_token(user=self.other.user, app=self.tracker, value="ben-tracker")
        self.client.force_login(self.pat.user)

    def test_lists_only_the_patients_own_apps_in_plain_words(self):
        page = self.client.get("/profile/apps/")
        self.assertContains(page, "Health diary")
        self.assertContains(page, "Read your records")
        self.assertNotContains(page, "Step tracker")
        self.assertContains(self.client.get("/profile/"), 'href="/profile/apps/"')

    def test_query_count_does_not_grow_with_apps_and_tokens(self):
        self.client.get("/profile/apps/")
        with self.assertNumQueries(self._count()):
            self.client.get("/profile/apps/")
        for n in range(3):
            make_token(user=self.pat.user, app=make_app(f"App {n}"), value=f"more-{n}")
        make_token(user=self.pat.user, app=self.diary, value="pat-diary-2")
        with self.assertNumQueries(self._count()):
            self.client.get("/profile/apps/")

    def _count(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.client.get("/profile/apps/")
        return len(queries)

    def test_revoke_deletes_the_tokens_and_the_token_gets_401(self):
        self.assertEqual(
            Client().get("/o/me/", HTTP_AUTHORIZATION="Bearer pat-diary").status_code, 200
        )
        answer = self.client.post(f"/profile/apps/{self.diary.pk}/revoke/")
        self.assertRedirects(answer, "/profile/apps/", fetch_redirect_response=False)
        self.assertFalse(AccessToken.objects.filter(user=self.pat.user).exists())
        self.assertFalse(RefreshToken.objects.filter(user=self.pat.user).exists())
        self.assertEqual(
            Client().get("/o/me/", HTTP_AUTHORIZATION="Bearer pat-diary").status_code, 401
        )
        self.assertNotContains(self.client.get("/profile/apps/"), "Revoke Health diary")

    def test_someone_elses_app_is_a_404_and_changes_nothing(self):
        answer = self.client.post(f"/profile/apps/{self.tracker.pk}/revoke/")
        self.assertEqual(answer.status_code, 404)
        self.assertTrue(AccessToken.objects.filter(token="ben-tracker").exists())
        self.assertEqual(self.client.post("/profile/apps/999999/revoke/").status_code, 404)

    def test_revoke_needs_post_and_the_csrf_token(self):
        self.assertEqual(self.client.get(f"/profile/apps/{self.diary.pk}/revoke/").status_code,
                         405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.pat.user)
        self.assertEqual(strict.post(f"/profile/apps/{self.diary.pk}/revoke/").status_code, 403)
        self.assertTrue(AccessToken.objects.filter(token="pat-diary").exists())

    def test_anonymous_goes_to_the_login_page(self):
        answer = Client().get("/profile/apps/")
        self.assertEqual(answer.status_code, 302)
        self.assertIn("/login/", answer["Location"])


class ConsentScreenTests(BaseTestCase):
    def setUp(self):
        self.app = make_app()
        self.query = (
            f"?response_type=code&client_id={self.app.client_id}&redirect_uri={REDIRECT}"
            "&scope=patient/*.read&state=s1&code_challenge=" + "a" * 43
            + "&code_challenge_method=S256"
        )

    def test_anonymous_is_sent_to_the_portal_login_and_back(self):
        answer = self.client.get("/o/authorize/" + self.query)
        self.assertEqual(answer.status_code, 302)
        self.assertIn("/login/?next=/o/authorize/", answer["Location"])

    def test_staff_cannot_connect_apps(self):
        self.client.force_login(make_staff("front_desk"))
        self.assertEqual(self.client.get("/o/authorize/" + self.query).status_code, 403)

    def test_a_patient_sees_the_app_and_the_scopes_in_the_portal(self):
        self.client.force_login(make_patient().user)
        page = self.client.get("/o/authorize/" + self.query)
        self.assertContains(page, "Let Health diary use your records?")
        self.assertContains(page, "Read your records: appointments")
        self.assertContains(page, 'name="csrfmiddlewaretoken"')

    def test_plain_pkce_and_unknown_scopes_are_refused(self):
        self.client.force_login(make_patient().user)
        plain = self.client.get("/o/authorize/" + self.query.replace("S256", "plain"))
        self.assertContains(plain, "S256", status_code=400)
        missing = self.client.get("/o/authorize/" + self.query.replace(
            "&code_challenge_method=S256", ""))
        self.assertEqual(missing.status_code, 400)
        unknown = self.client.get("/o/authorize/" + self.query.replace("patient/*.read",
                                                                        "system/*.read"))
        self.assertIn("error=invalid_scope", unknown["Location"])


class DiscoveryTests(BaseTestCase):
    def test_smart_configuration_at_the_root_and_under_fhir(self):
        for path in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
            with self.subTest(path):
                config = Client().get(path).json()
                self.assertEqual(config["code_challenge_methods_supported"], ["S256"])
                self.assertTrue(config["authorization_endpoint"].endswith("/o/authorize/"))
                self.assertTrue(config["token_endpoint"].endswith("/o/token/"))
                self.assertTrue(config["revocation_endpoint"].endswith("/o/revoke_token/"))
                for capability in ("launch-standalone", "client-public",
                                   "context-standalone-patient", "permission-patient"):
                    self.assertIn(capability, config["capabilities"])
                self.assertIn("patient/Appointment.write", config["scopes_supported"])
