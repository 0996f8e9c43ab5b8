import re

import yaml

from clinic.api.tests.base import ApiTestCase

CONTRACT_PATHS = {
    "/cms-api/login/": {"post"},
    "/cms-api/logout/": {"post"},
    "/cms-api/signup/": {"post"},
    "/cms-api/patient/": {"get", "patch"},
    "/cms-api/doctor/": {"get"},
    "/cms-api/slots/": {"get"},
    "/cms-api/booking/": {"get", "post", "delete"},
    "/cms-api/history/": {"get"},
    "/cms-api/consultations/": {"get"},
    "/cms-api/reports/": {"get"},
}


class SchemaTests(ApiTestCase):
    def schema(self):
        response = self.client.get("/cms-api/schema/")
        self.assertEqual(response.status_code, 200)
        return yaml.safe_load(response.content)

    def test_it_documents_every_contract_endpoint(self):
        paths = self.schema()["paths"]
        for path, methods in CONTRACT_PATHS.items():
            with self.subTest(path=path):
                self.assertTrue(methods <= set(paths[path]), (path, set(paths[path])))

    def test_it_keeps_the_seed_spellings(self):
        schemas = self.schema()["components"]["schemas"]
        self.assertIn("ofiice_number", schemas["DoctorRef"]["properties"])
        self.assertIn("report_genrated", schemas["LabReport"]["properties"])
        self.assertIn("report-image", schemas["LabReport"]["properties"])
        self.assertNotIn("report-image", schemas["LabReport"]["required"])
        self.assertIn("Booking_id", schemas["Booking"]["properties"])
        self.assertIn("booking-ids", schemas["BookingCancelInputRequest"]["properties"])
        self.assertNotIn("password", schemas["User"]["properties"])

    def test_errors_are_documented_with_the_err_shape(self):
        paths = self.schema()["paths"]
        booking_post = paths["/cms-api/booking/"]["post"]["responses"]
        expected = {"201", "400", "401", "403", "404", "409", "413", "415"}
        self.assertTrue(expected <= set(booking_post), set(booking_post))
        self.assertIn("429", paths["/cms-api/login/"]["post"]["responses"])
        self.assertEqual(
            booking_post["409"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error",
        )

    def test_get_keys_are_query_parameters(self):
        params = self.schema()["paths"]["/cms-api/slots/"]["get"]["parameters"]
        self.assertEqual({p["name"] for p in params if p["in"] == "query"}, {"doctor_id", "date"})

    def test_the_docs_page_uses_only_local_assets(self):
        response = self.client.get("/cms-api/docs/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        assets = re.findall(r'(?:src|href)\s*=\s*"([^"]+)"', html)
        self.assertTrue(assets)
        for asset in assets:
            with self.subTest(asset=asset):
                # Static files, and the page's own init script (a separate request for the CSP).
                self.assertTrue(asset.startswith(("/static/", "/cms-api/docs/?script")), asset)
        self.assertNotRegex(html, r"https?://(?!127\.0\.0\.1|localhost|testserver)")
        # The assets are actually served.
        for asset in assets:
            self.assertEqual(self.client.get(asset).status_code, 200, asset)
