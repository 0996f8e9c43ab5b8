"""Idle staff sessions end after STAFF_IDLE_MINUTES (clinic.staff.middleware)."""

import datetime as dt

import time_machine
from django.test import override_settings
from django.urls import reverse

from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, BaseTestCase, make_staff, verified_login

HOME = "/clinic/?stay=1"


@override_settings(STAFF_IDLE_MINUTES=15)
class IdleTimeoutTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.user = make_staff(Role.MANAGER)

    def at(self, minutes: float):
        return time_machine.travel(FIXED_NOW + dt.timedelta(minutes=minutes), tick=False)

    def sign_in(self):
        with self.at(0):
            verified_login(self.client, self.user)
            # The first request of the session stamps it (the sign-in does this itself).
            self.client.get(HOME)

    def test_a_session_used_within_the_limit_stays(self):
        self.sign_in()
        for minute in (10, 20, 30):
            with self.at(minute):
                self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_a_session_idle_past_the_limit_ends(self):
        self.sign_in()
        with self.at(16):
            response = self.client.get(HOME)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("workspace:login")))
        self.assertNotIn("_auth_user_id", self.client.session)
        with self.at(16.5):
            page = self.client.get(reverse("workspace:login"))
        self.assertContains(page, "signed out after a while without activity")

    def test_background_refreshes_do_not_keep_it_alive(self):
        """The board's polling (X-Background-Refresh: 1) is served but is not activity."""
        self.sign_in()
        for minute in (5, 10, 14):
            with self.at(minute):
                response = self.client.get(HOME, HTTP_X_BACKGROUND_REFRESH="1")
                self.assertEqual(response.status_code, 200)
        with self.at(16):
            self.assertEqual(self.client.get(HOME).status_code, 302)

    def test_patients_sessions_are_not_stamped(self):
        """A patient's session keeps the site-wide idle limit (30 minutes), not the staff's."""
        with self.at(0):
            self.client.force_login(self.alice.user)
            self.client.get(reverse("portal:dashboard"))
        with self.at(25):
            self.assertEqual(self.client.get(reverse("portal:dashboard")).status_code, 200)
