"""The FHIR tests' base: the cast of clinic.testing, time frozen at FIXED_NOW, and
assertions that every resource received is valid FHIR and that its references resolve."""

import json

import time_machine
from django.core.cache import cache
from fhir.resources.R4B import get_fhir_model_class

from clinic.testing import FIXED_NOW, BaseTestCase, api_client

FHIR_JSON = "application/fhir+json"


def references_in(value) -> list[str]:
    """Every `reference` string in a FHIR JSON value, depth first."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("reference"), str):
                found.append(item["reference"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class FhirTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        traveller = time_machine.travel(FIXED_NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def fhir(self, method: str, path: str, body=None, *, user=None, client=None,
             content_type=FHIR_JSON, raw=None, **extra):
        """Send a request under /fhir/ as `user` (a token) or with `client`."""
        client = client or api_client(user)
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        response = client.generic(
            method.upper(), path, data=data, content_type=content_type, **extra
        )
        self.assertTrue(
            response["Content-Type"].startswith(FHIR_JSON),
            f"{method} {path}: {response['Content-Type']}",
        )
        return response

    def get_ok(self, path: str, *, user=None, client=None, **extra) -> dict:
        """GET a resource or Bundle: 200, valid FHIR, references resolving."""
        response = self.fhir("GET", path, user=user, client=client, **extra)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertValidFhir(body, user=user, client=client)
        return body

    def assertValidFhir(self, resource: dict, *, user=None, client=None):
        """`resource` validates against the FHIR models, and each relative reference in
        it reads back from this server (as the same caller) with 200."""
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        client = client or api_client(user)
        for ref in dict.fromkeys(references_in(resource)):
            with self.subTest(reference=ref):
                self.assertRegex(ref, r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")
                response = client.get(f"/fhir/{ref}")
                self.assertEqual(response.status_code, 200, f"{ref}: {response.content[:300]}")
                self.assertEqual(response.json()["resourceType"], ref.split("/")[0])

    def assertOutcome(self, response, status: int, code: str | None = None) -> dict:
        """An OperationOutcome with `status` (and the issue `code`), in FHIR JSON."""
        self.assertEqual(response.status_code, status, response.content)
        self.assertTrue(response["Content-Type"].startswith(FHIR_JSON))
        body = response.json()
        self.assertEqual(body["resourceType"], "OperationOutcome")
        get_fhir_model_class("OperationOutcome").model_validate(body)
        if code is not None:
            self.assertEqual(body["issue"][0]["code"], code)
        return body

    def query_count(self, client, path: str) -> int:
        """How many queries a GET of `path` by `client` runs."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return len(queries)

    def ids(self, bundle: dict) -> list[str]:
        return [entry["resource"]["id"] for entry in bundle.get("entry", [])]
