import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from clinic.portal.tests.base import PortalTestCase
from clinic.testing import FIXED_NOW, PASSWORD

PATIENT_PAGES = [
    ("portal:dashboard", []),
    ("portal:profile", []),
    ("portal:profile_edit", []),
    ("portal:password_change", []),
    ("portal:book", []),
    ("portal:appointments", []),
    ("portal:appointments_past", []),
    ("portal:consultations", []),
    ("portal:reports", []),
]


class PatientOnlyTests(PortalTestCase):
    def test_anonymous_visitors_are_sent_to_log_in_and_back(self):
        for name, args in PATIENT_PAGES:
            with self.subTest(page=name):
                url = reverse(name, args=args)
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('portal:login')}?next={url}")

    def test_staff_without_a_patient_profile_get_the_403_page(self):
        """The portal is for patients; clinic staff see a clear 403 page, not an error."""
        self.client.force_login(self.staff)
        for name, args in PATIENT_PAGES:
            with self.subTest(page=name):
                response = self.client.get(reverse(name, args=args))
                self.assertEqual(response.status_code, 403)
                self.assertContains(response, "not for your account", status_code=403)

    def test_every_patient_page_renders_for_a_patient(self):
        self.login()
        for name, args in PATIENT_PAGES:
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 200)


class ErrorPageTests(PortalTestCase):
    def test_an_unknown_url_gets_the_404_page_with_the_site_layout(self):
        response = self.client.get("/no/such/page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "could not find that page", status_code=404)
        self.assertContains(response, '<main id="main"', status_code=404)

    def test_the_500_page_renders_without_a_request_context(self):
        """Django renders 500.html with an empty context: it must stand alone."""
        html = render_to_string("500.html")
        self.assertIn("Something went wrong", html)
        self.assertIn("/static/portal/css/portal.css", html)

    @override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
    def test_an_unhandled_error_shows_the_500_page(self):
        self.client.raise_request_exception = False
        with self.settings(ROOT_URLCONF="clinic.portal.tests.boom_urls"):
            response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)


class IdleTimeoutTests(PortalTestCase):
    @override_settings(SESSION_COOKIE_AGE=30 * 60)
    def test_a_session_ends_after_the_idle_timeout_but_activity_renews_it(self):
        """SESSION_SAVE_EVERY_REQUEST renews the expiry; 30 idle minutes log the patient out."""
        dashboard = reverse("portal:dashboard")
        with time_machine.travel(FIXED_NOW, tick=False) as clock:
            self.client.post(reverse("portal:login"), {"login": "alice", "password": PASSWORD})
            for _ in range(3):  # 75 minutes of activity, 25 minutes apart
                clock.shift(dt.timedelta(minutes=25))
                self.assertEqual(self.client.get(dashboard).status_code, 200)
            clock.shift(dt.timedelta(minutes=31))
            response = self.client.get(dashboard)
        self.assertRedirects(response, f"{reverse('portal:login')}?next={dashboard}")
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_the_cookie_age_comes_from_the_idle_timeout_setting(self):
        self.login()
        response = self.client.get(reverse("portal:dashboard"))
        self.assertEqual(response.cookies["sessionid"]["max-age"], settings.SESSION_COOKIE_AGE)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)
