from unittest import mock

from django.db import OperationalError
from django.test import TestCase, override_settings


class HealthzTests(TestCase):
    def test_it_reports_ok_after_asking_the_database(self):
        """GET /healthz runs one query and answers {"status": "ok"}, never cached."""
        with self.assertNumQueries(1):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_is_down(self):
        """A database error turns into 503, not a 500 page."""
        with (
            mock.patch(
                "django.db.backends.utils.CursorWrapper.execute",
                side_effect=OperationalError("connection refused"),
            ),
            self.assertLogs("clinic.core.views", "ERROR"),
        ):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"status": "unavailable"})

    def test_it_refuses_writes(self):
        """Only GET (and HEAD) are allowed."""
        self.assertEqual(self.client.post("/healthz").status_code, 405)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_it_is_not_redirected_to_https(self):
        """A plain-HTTP probe gets the answer, while other pages redirect to HTTPS."""
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 301)
