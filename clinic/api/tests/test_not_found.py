from clinic.api.tests.base import ApiTestCase


class UnknownPathTests(ApiTestCase):
    def test_an_unknown_path_is_a_json_404_for_any_method(self):
        """Every path under /cms-api/ that is no endpoint answers 404 with ERR, never HTML."""
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            for path in ("/cms-api/nothing/", "/cms-api/booking/extra/", "/cms-api/a/b/c"):
                with self.subTest(method=method, path=path):
                    response = self.call(method, path, {"x": 1})
                    self.assertEqual(response["Content-Type"], "application/json")
                    self.assertError(response, 404, path)

    def test_it_answers_the_same_with_a_token(self):
        response = self.call("GET", "/cms-api/nothing/", user=self.alice.user)
        self.assertError(response, 404, "/cms-api/nothing/")

    def test_a_missing_slash_says_which_endpoint_was_meant(self):
        body = self.assertError(self.call("GET", "/cms-api/booking"), 404)
        self.assertIn("/cms-api/booking/", body["ERR"])

    def test_a_wrong_method_on_an_endpoint_stays_a_json_405(self):
        response = self.call("PUT", "/cms-api/booking/", {}, user=self.alice.user)
        self.assertError(response, 405)
