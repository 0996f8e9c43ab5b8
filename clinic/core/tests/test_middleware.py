from django.db import OperationalError
from django.test import SimpleTestCase, override_settings
from django.urls import path


def lost_database(request):
    raise OperationalError("connection to server was lost")


def broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("cms-api/lost/", lost_database),
    path("page/lost/", lost_database),
    path("page/broken/", broken),
]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
class DatabaseUnavailableTests(SimpleTestCase):
    def test_the_api_answers_503_with_err_when_the_database_is_gone(self):
        """A lost database is a 503 with Retry-After and the ERR shape, not a 500."""
        with self.assertLogs("clinic.core.middleware", "WARNING"):
            response = self.client.get("/cms-api/lost/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertIn("briefly unavailable", response.json()["ERR"])

    def test_pages_answer_a_503_page(self):
        with self.assertLogs("clinic.core.middleware", "WARNING"):
            response = self.client.get("/page/lost/")
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "briefly unavailable", status_code=503)

    def test_other_errors_stay_500(self):
        """Only database outages are turned into 503; a bug is still a 500."""
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/page/broken/")
        self.assertEqual(response.status_code, 500)
