"""The exception handler: one error shape and a real status for every failure."""

import re

from django.test import override_settings
from rest_framework.test import APIClient

from clinic.api.exception_handler import flatten
from clinic.api.tests.base import ApiTestCase
from clinic.testing import api_client


class ErrorShapeTests(ApiTestCase):
    def test_no_token_and_a_bad_token_are_401_with_a_challenge(self):
        for extra in ({}, {"HTTP_AUTHORIZATION": "Token nope"}, {"HTTP_AUTHORIZATION": "Bearer x"}):
            with self.subTest(extra=extra):
                response = self.call("GET", "/cms-api/patient/", **extra)
                self.assertError(response, 401)
                self.assertIn("Token", response["WWW-Authenticate"])

    def test_a_body_on_get_works_like_query_parameters(self):
        by_body = self.call("GET", "/cms-api/doctor/", {"doctor_id": self.dr_rao.pk},
                            user=self.alice.user)
        by_query = self.call("GET", f"/cms-api/doctor/?doctor_id={self.dr_rao.pk}",
                             user=self.alice.user)
        self.assertEqual(by_body.status_code, 200)
        self.assertEqual(by_body.json(), by_query.json())

    def test_the_body_wins_over_the_query(self):
        response = self.call("GET", "/cms-api/doctor/?doctor_id=999999",
                             {"doctor_id": self.dr_rao.pk}, user=self.alice.user)
        self.assertEqual(response.json()[0]["id"], self.dr_rao.pk)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_an_oversized_body_is_413_on_any_method(self):
        big = {"doctor_id": 1, "pad": "x" * 500}
        for method, path in (("GET", "/cms-api/doctor/"), ("POST", "/cms-api/login/"),
                             ("DELETE", "/cms-api/booking/")):
            with self.subTest(method=method):
                self.assertError(self.call(method, path, big, user=self.alice.user), 413,
                                 "too large")

    def test_wrong_content_type_is_415(self):
        response = self.call("POST", "/cms-api/login/", raw="<xml/>",
                             content_type="application/xml")
        self.assertError(response, 415)

    def test_non_object_bodies_are_400(self):
        for raw in ("[]", "42", '"text"', "true"):
            with self.subTest(raw=raw):
                self.assertError(self.call("POST", "/cms-api/login/", raw=raw), 400)

    def test_invalid_utf8_is_400(self):
        response = self.call("POST", "/cms-api/login/", raw=b"\xff\xfe{")
        self.assertError(response, 400)

    def test_session_auth_needs_csrf(self):
        """The portal's cookie works for the API, but only with the CSRF token."""
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(self.alice.user)
        self.assertEqual(client.get("/cms-api/patient/").status_code, 200)
        response = client.patch("/cms-api/patient/", {"address": "x"}, format="json")
        self.assertError(response, 403, "CSRF")

    def test_no_response_leaks_a_stack_trace(self):
        client = api_client(self.alice.user)
        for raw in ('{"date": ', '{"date": "2030-01-08", "slot": {}, "doc_id": []}'):
            response = client.generic("POST", "/cms-api/booking/", raw,
                                      content_type="application/json")
            self.assertEqual(response.status_code, 400)
            self.assertNotRegex(response.content.decode(), re.compile("Traceback|File \""))

    def test_flatten_names_nested_fields(self):
        self.assertEqual(
            flatten({"user": {"email": ["Bad."]}, "non_field_errors": ["Whole."],
                     "ids": {0: ["Not int."]}}),
            {"user.email": ["Bad."], "": ["Whole."], "ids.0": ["Not int."]},
        )
