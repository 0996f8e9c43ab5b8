"""A SMART client (requests-oauthlib) does the standalone launch against a live server:
authorization code with PKCE, the patient's consent in the portal, the token exchange,
a call with the bearer token, then the patient revokes the app and the token is refused."""

import json
import os
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import requests
from django.test import LiveServerTestCase
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Application
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session

from clinic.testing import make_patient

REDIRECT = "https://app.example.com/callback"


class StandaloneLaunchTests(LiveServerTestCase):
    def setUp(self):
        # The live test server speaks plain http; the client library refuses that by default.
        patcher = mock.patch.dict(os.environ, {"OAUTHLIB_INSECURE_TRANSPORT": "1"})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.patient = make_patient()
        self.app = Application.objects.create(
            name="Health diary",
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=REDIRECT,
            algorithm=Application.RS256_ALGORITHM,
        )
        self.client.force_login(self.patient.user)

    def session(self, scope="launch/patient patient/*.read openid fhirUser"):
        return OAuth2Session(
            self.app.client_id, redirect_uri=REDIRECT, scope=scope.split(), pkce="S256"
        )

    def consent(self, oauth):
        """The patient opens the authorize URL in the portal and presses Allow."""
        config = requests.get(f"{self.live_server_url}/.well-known/smart-configuration").json()
        url, state = oauth.authorization_url(config["authorization_endpoint"])
        parts = urlsplit(url)
        page = self.client.get(f"{parts.path}?{parts.query}")
        self.assertContains(page, "Let Health diary use your records?")
        self.assertContains(page, "Read your records")
        form = page.context["form"]
        fields = {name: form[name].value() or "" for name in form.fields}
        answer = self.client.post(parts.path, {**fields, "allow": "Authorize"})
        self.assertEqual(answer.status_code, 302)
        callback = answer["Location"]
        self.assertTrue(callback.startswith(REDIRECT))
        self.assertEqual(parse_qs(urlsplit(callback).query)["state"], [state])
        return config, callback

    def test_the_whole_flow_then_revoke(self):
        oauth = self.session()
        config, callback = self.consent(oauth)
        token = oauth.fetch_token(
            config["token_endpoint"], authorization_response=callback, include_client_id=True
        )
        self.assertEqual(token["patient"], str(self.patient.pk))
        self.assertEqual(token["token_type"], "Bearer")
        self.assertIn("patient/*.read", token["scope"])
        self.assertIn("refresh_token", token)

        me = oauth.get(f"{self.live_server_url}/o/me/")
        self.assertEqual(me.status_code, 200)
        self.assertEqual(me.json()["fhirUser"], f"Patient/{self.patient.pk}")
        patient = oauth.get(f"{self.live_server_url}/fhir/Patient/{token['patient']}")
        self.assertEqual(patient.status_code, 200)
        self.assertEqual(patient.json()["resourceType"], "Patient")

        # The patient sees the app on the Connected apps page and revokes it.
        apps = self.client.get("/profile/apps/")
        self.assertContains(apps, "Health diary")
        self.assertContains(apps, "Read your records")
        self.client.post(f"/profile/apps/{self.app.pk}/revoke/")
        self.assertFalse(AccessToken.objects.filter(user=self.patient.user).exists())
        self.assertEqual(oauth.get(f"{self.live_server_url}/o/me/").status_code, 401)
        self.assertEqual(
            oauth.get(f"{self.live_server_url}/fhir/Patient/{token['patient']}").status_code, 401
        )
        with self.assertRaises(OAuth2Error):  # the refresh token went with it
            oauth.refresh_token(config["token_endpoint"], client_id=self.app.client_id)

    def test_openid_fhiruser_gets_an_id_token_signed_by_the_published_key(self):
        oauth = self.session("openid fhirUser patient/*.read")
        config, callback = self.consent(oauth)
        self.assertIn("sso-openid-connect", config["capabilities"])
        token = oauth.fetch_token(
            config["token_endpoint"], authorization_response=callback, include_client_id=True
        )
        oidc = requests.get(f"{self.live_server_url}/o/.well-known/openid-configuration")
        self.assertEqual(oidc.status_code, 200)
        oidc = oidc.json()
        self.assertIn("RS256", oidc["id_token_signing_alg_values_supported"])
        self.assertIn("fhirUser", oidc["claims_supported"])
        self.assertEqual(oidc["jwks_uri"], config["jwks_uri"])
        keys = requests.get(oidc["jwks_uri"]).json()
        self.assertTrue(all("d" not in key for key in keys["keys"]))  # public halves only

        verified = jwt.JWT(jwt=token["id_token"], key=jwk.JWKSet.from_json(json.dumps(keys)),
                           algs=["RS256"])
        claims = json.loads(verified.claims)
        self.assertEqual(claims["fhirUser"], f"Patient/{self.patient.pk}")
        self.assertEqual(claims["aud"], self.app.client_id)
        self.assertEqual(claims["iss"], oidc["issuer"])
        self.assertTrue(claims["iss"].startswith(self.live_server_url))
        self.assertEqual(claims["sub"], str(self.patient.user.pk))

    def test_without_the_fhiruser_scope_the_id_token_has_no_fhiruser(self):
        oauth = self.session("openid patient/*.read")
        config, callback = self.consent(oauth)
        token = oauth.fetch_token(
            config["token_endpoint"], authorization_response=callback, include_client_id=True
        )
        keys = requests.get(config["jwks_uri"]).text
        verified = jwt.JWT(jwt=token["id_token"], key=jwk.JWKSet.from_json(keys), algs=["RS256"])
        self.assertNotIn("fhirUser", json.loads(verified.claims))

    def test_no_openid_scope_no_id_token(self):
        oauth = self.session("launch/patient patient/*.read")
        config, callback = self.consent(oauth)
        token = oauth.fetch_token(
            config["token_endpoint"], authorization_response=callback, include_client_id=True
        )
        self.assertNotIn("id_token", token)

    def test_an_app_without_a_signing_algorithm_cannot_ask_for_openid(self):
        self.app.algorithm = Application.NO_ALGORITHM
        self.app.save()
        oauth = self.session("openid fhirUser patient/*.read")
        url, _ = oauth.authorization_url(f"{self.live_server_url}/o/authorize/")
        parts = urlsplit(url)
        page = self.client.get(f"{parts.path}?{parts.query}")
        self.assertEqual(page.status_code, 302)  # the error goes back to the app
        self.assertIn("error=invalid_scope", page["Location"])
        # Without `openid` the same app still connects, as before.
        config, callback = self.consent(self.session("fhirUser patient/*.read"))
        self.assertIn("code=", callback)

    def test_a_wrong_code_verifier_gets_no_token(self):
        oauth = self.session()
        config, callback = self.consent(oauth)
        oauth._code_verifier = "x" * 64  # not the verifier the challenge was made from
        with self.assertRaises(OAuth2Error) as caught:
            oauth.fetch_token(
                config["token_endpoint"], authorization_response=callback, include_client_id=True
            )
        self.assertEqual(caught.exception.error, "invalid_grant")
        self.assertFalse(AccessToken.objects.exists())

    def test_a_public_client_without_pkce_is_refused(self):
        plain = OAuth2Session(self.app.client_id, redirect_uri=REDIRECT, scope=["patient/*.read"])
        url, _ = plain.authorization_url(f"{self.live_server_url}/o/authorize/")
        parts = urlsplit(url)
        page = self.client.get(f"{parts.path}?{parts.query}")
        self.assertEqual(page.status_code, 302)  # the error goes back to the app
        self.assertIn("error=invalid_request", page["Location"])
