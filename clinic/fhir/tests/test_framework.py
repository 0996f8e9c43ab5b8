"""The FHIR framework: metadata, credentials, media types, errors and paging."""

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from clinic.fhir.registry import resource_types
from clinic.fhir.tests.base import FhirTestCase
from clinic.testing import make_patient


class MetadataTests(FhirTestCase):
    def test_it_needs_no_credentials_and_lists_exactly_what_is_served(self):
        body = self.get_ok("/fhir/metadata", client=Client())
        self.assertEqual(body["resourceType"], "CapabilityStatement")
        self.assertEqual(body["fhirVersion"], "4.0.1")
        served = {r["type"]: r for r in body["rest"][0]["resource"]}
        self.assertEqual(set(served), set(resource_types()))
        for name, resource in resource_types().items():
            self.assertEqual(
                {p["name"] for p in served[name]["searchParam"]}, set(resource.params)
            )
        self.assertEqual(
            {p["name"] for p in served["Patient"]["searchParam"]},
            {"_id", "identifier", "name", "family", "given", "birthdate", "phone", "email"},
        )
        self.assertEqual(
            {p["name"] for p in served["Slot"]["searchParam"]},
            {"_id", "schedule", "start", "status"},
        )


class CredentialTests(FhirTestCase):
    def test_it_refuses_a_request_without_credentials_with_401(self):
        response = self.fhir("GET", "/fhir/Patient", client=Client())
        self.assertOutcome(response, 401, "login")
        self.assertIn("Token", response["WWW-Authenticate"])

    def test_it_refuses_a_bad_token(self):
        client = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
        self.assertOutcome(self.fhir("GET", "/fhir/Practitioner", client=client), 401, "login")

    def test_it_accepts_the_portals_session(self):
        client = Client()
        client.force_login(self.alice.user)
        bundle = self.get_ok("/fhir/Patient", client=client)
        self.assertEqual(self.ids(bundle), [str(self.alice.pk)])

    def test_a_session_post_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice.user)
        response = self.fhir(
            "POST", "/fhir/Patient/_search", client=client, raw="name=Alice",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertOutcome(response, 403, "forbidden")


class ErrorTests(FhirTestCase):
    def test_an_unknown_type_or_path_is_a_404_outcome(self):
        user = self.alice.user
        for path in ("/fhir/Nope", "/fhir/Nope/1", "/fhir/", "/fhir/Patient/1/2/3", "/fhir/x y"):
            with self.subTest(path=path):
                self.assertOutcome(self.fhir("GET", path, user=user), 404, "not-found")
        # Whatever the method, and without credentials.
        self.assertOutcome(self.fhir("DELETE", "/fhir/Nope/1", client=Client()), 404)

    def test_an_unsupported_method_is_a_405_with_allow(self):
        path = f"/fhir/Patient/{self.alice.pk}"
        response = self.fhir("DELETE", path, user=self.alice.user)
        self.assertOutcome(response, 405, "not-supported")
        self.assertEqual(response["Allow"], "GET, HEAD")
        self.assertOutcome(self.fhir("POST", "/fhir/Patient", {}, user=self.alice.user), 405)
        self.assertOutcome(self.fhir("PUT", path, {}, user=self.alice.user), 405)
        self.assertOutcome(self.fhir("OPTIONS", path, user=self.alice.user), 405)
        self.assertOutcome(self.fhir("GET", "/fhir/Patient/_search", user=self.alice.user), 405)

    def test_it_serves_json_only(self):
        user = self.alice.user
        response = self.fhir("GET", "/fhir/Patient", user=user, HTTP_ACCEPT="application/fhir+xml")
        self.assertOutcome(response, 406, "not-supported")
        self.assertOutcome(self.fhir("GET", "/fhir/Patient?_format=xml", user=user), 406)
        for accept in ("application/fhir+json", "application/json", "*/*", "text/html, */*;q=0.8"):
            with self.subTest(accept=accept):
                self.get_ok("/fhir/Patient", user=user, HTTP_ACCEPT=accept)
        self.get_ok("/fhir/Patient?_format=json", user=user)

    def test_search_by_post_takes_a_form_body_only(self):
        response = self.fhir(
            "POST", "/fhir/Patient/_search", {"name": "Alice"}, user=self.alice.user,
            content_type="application/json",
        )
        self.assertOutcome(response, 415, "not-supported")

    def test_search_by_post_without_a_body(self):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
            with self.subTest(content_type=content_type):
                response = self.fhir("POST", "/fhir/Practitioner/_search?name=asha", raw="",
                                     user=self.alice.user, content_type=content_type)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json()["total"], 1)

    def test_bad_paging_values_are_a_400(self):
        for query in ("_count=abc", "_count=-1", "_offset=x", "_count=99999999999"):
            with self.subTest(query=query):
                response = self.fhir("GET", f"/fhir/Practitioner?{query}", user=self.alice.user)
                self.assertOutcome(response, 400, "invalid")

    def test_an_unknown_parameter_is_ignored_and_left_out_of_self(self):
        bundle = self.get_ok("/fhir/Practitioner?foo=bar&name=Asha", user=self.alice.user)
        self.assertEqual(bundle["total"], 1)
        query = parse_qs(urlsplit(bundle["link"][0]["url"]).query)
        self.assertEqual(query, {"name": ["Asha"], "_count": ["50"]})

    def test_an_unknown_parameter_is_a_400_when_strict_handling_is_asked(self):
        response = self.fhir(
            "GET", "/fhir/Practitioner?foo=bar", user=self.alice.user,
            HTTP_PREFER="handling=strict",
        )
        self.assertOutcome(response, 400, "invalid")

    def test_extreme_dates_are_answered_never_a_server_error(self):
        for query in ("Slot?start=lt0001-01-01", "Slot?start=le0001", "Slot?start=ge9999-12-30",
                      "Patient?birthdate=lt0001-01-01", "Patient?birthdate=gt9998"):
            with self.subTest(query=query):
                self.get_ok(f"/fhir/{query}", user=self.alice.user)
        # The day after 9999-12-31 does not exist: that range cannot be searched.
        for query in ("Slot?start=ge9999-12-31", "Patient?birthdate=gt9999"):
            with self.subTest(query=query):
                self.assertOutcome(self.fhir("GET", f"/fhir/{query}", user=self.alice.user), 400)

    def test_an_unsupported_modifier_or_value_is_a_400(self):
        user = self.alice.user
        for query in ("Patient?name:missing=true", "Patient?birthdate=17-05-1990",
                      "Patient?birthdate=ap1990", "Slot?start=tomorrow", "Patient?_id:not=1",
                      "Slot?start=2030-13-01", "Slot?start=9999-12-31T23:59:59+99:00"):
            with self.subTest(query=query):
                self.assertOutcome(self.fhir("GET", f"/fhir/{query}", user=user), 400, "invalid")


class PagingTests(FhirTestCase):
    def test_next_links_walk_every_result_once(self):
        seen, url = [], "/fhir/Slot?schedule=" + str(self.dr_rao.pk) + "&_count=7"
        total = None
        while url:
            bundle = self.get_ok(url.removeprefix("http://testserver"), user=self.alice.user)
            total = bundle["total"]
            self.assertLessEqual(len(bundle["entry"]), 7)
            seen += self.ids(bundle)
            url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
            if len(seen) > 30:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertGreater(total, 30)

    def test_count_defaults_to_50_and_is_at_most_100(self):
        path = f"/fhir/Slot?schedule={self.dr_rao.pk}"
        self.assertEqual(len(self.fhir("GET", path, user=self.alice.user).json()["entry"]), 50)
        bundle = self.fhir("GET", f"{path}&_count=500", user=self.alice.user).json()
        self.assertEqual(len(bundle["entry"]), 100)
        self.assertIn("_count=100", bundle["link"][0]["url"])

    def test_count_zero_answers_the_total_only(self):
        bundle = self.get_ok(f"/fhir/Slot?schedule={self.dr_rao.pk}&_count=0", user=self.alice.user)
        self.assertGreater(bundle["total"], 0)
        self.assertEqual(bundle["entry"], [])

    def test_search_by_post_answers_as_by_get(self):
        make_patient(first_name="Alina", username="alina")
        by_get = self.get_ok("/fhir/Practitioner?name=asha", user=self.alice.user)
        response = self.fhir(
            "POST", "/fhir/Practitioner/_search", user=self.alice.user, raw="name=asha",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), by_get)


class OperationTests(FhirTestCase):
    def setUp(self):
        super().setUp()
        from rest_framework.response import Response

        from clinic.fhir import registry

        @registry.instance_operation("Practitioner", "echo", definition="urn:test:echo")
        def echo(request, resource_id):
            return Response({"resourceType": "Parameters", "parameter": [
                {"name": "id", "valueString": resource_id}]})

        self.addCleanup(registry._operations.pop, "Practitioner")

    def test_a_registered_operation_is_served_and_listed(self):
        body = self.get_ok(f"/fhir/Practitioner/{self.dr_rao.pk}/$echo", user=self.alice.user)
        self.assertEqual(body["parameter"][0]["valueString"], str(self.dr_rao.pk))
        statement = self.get_ok("/fhir/metadata", client=Client())
        practitioner = next(r for r in statement["rest"][0]["resource"]
                            if r["type"] == "Practitioner")
        self.assertEqual(
            practitioner["operation"], [{"name": "echo", "definition": "urn:test:echo"}]
        )
        path = f"/fhir/Practitioner/{self.dr_rao.pk}/$nope"
        response = self.fhir("GET", path, user=self.alice.user)
        self.assertOutcome(response, 404, "not-found")
