import datetime as dt

from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from clinic.accounts.models import User
from clinic.core.models import AuditEvent
from clinic.patients.models import Patient
from clinic.portal.tests.base import PortalTestCase
from clinic.testing import PASSWORD, api_client, send_json

REGISTRATION = {
    "first_name": "Carol",
    "last_name": "Chen",
    "email": "Carol@Example.com",
    "phone": "9876501234",
    "gender": "Female",
    "dob": "1992-04-01",
    "address": "7 Park Lane",
    "password": "A-long-Secret-77",
}


class RegisterTests(PortalTestCase):
    def test_it_creates_the_patient_logs_in_and_goes_to_the_dashboard(self):
        """Registration goes through patient_register and starts a session."""
        response = self.client.post(reverse("portal:register"), REGISTRATION, follow=True)
        self.assertRedirects(response, reverse("portal:dashboard"))
        patient = Patient.objects.get(user__email="carol@example.com")
        self.assertEqual(patient.dob, dt.date(1992, 4, 1))
        self.assertEqual(int(self.client.session[SESSION_KEY]), patient.user.pk)
        self.assertContains(response, "Welcome, Carol")
        self.assertTrue(AuditEvent.objects.filter(action="patient.registered").exists())

    def test_a_taken_email_is_shown_on_the_email_field(self):
        data = {**REGISTRATION, "email": self.alice.user.email.upper()}
        response = self.client.post(reverse("portal:register"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["email"],
            ["An account with this email already exists."],
        )
        self.assertEqual(User.objects.filter(email__iexact=self.alice.user.email).count(), 1)

    def test_a_weak_password_or_a_bad_phone_is_refused_with_field_errors(self):
        for field, value in (("password", "12345678"), ("phone", "12345")):
            with self.subTest(field=field):
                response = self.client.post(
                    reverse("portal:register"), {**REGISTRATION, field: value}
                )
                self.assertIn(field, response.context["form"].errors)
                self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(Patient.objects.filter(user__first_name="Carol").exists())

    @override_settings(
        REST_FRAMEWORK={
            "DEFAULT_THROTTLE_RATES": {
                "signup_client": "2/hour", "login_account": "10/hour", "login_client": "99/hour",
            }
        }
    )
    def test_sign_ups_are_throttled_per_client(self):
        for n in range(2):
            Client().post(
                reverse("portal:register"),
                {**REGISTRATION, "email": f"c{n}@example.com", "phone": f"900000000{n}"},
            )
        self.assertEqual(Patient.objects.filter(user__first_name="Carol").count(), 2)
        response = self.client.post(
            reverse("portal:register"), {**REGISTRATION, "email": "c9@example.com"}
        )
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many sign-ups", status_code=429)
        self.assertFalse(User.objects.filter(email="c9@example.com").exists())


class LoginTests(PortalTestCase):
    def post_login(self, login, password=PASSWORD, **extra):
        data = {"login": login, "password": password}
        return self.client.post(reverse("portal:login"), data, **extra)

    def test_it_logs_in_with_the_username_or_the_email(self):
        for login in ("alice", "ALICE@example.com"):
            with self.subTest(login=login):
                self.client.logout()
                response = self.post_login(login)
                self.assertRedirects(response, reverse("portal:dashboard"))
                self.assertEqual(int(self.client.session[SESSION_KEY]), self.alice.user.pk)

    def test_a_wrong_password_shows_one_message_for_any_account(self):
        """Unknown login and wrong password read the same: no account discovery."""
        wrong = self.post_login("alice", "nope")
        unknown = self.post_login("nobody", "nope")
        for response in (wrong, unknown):
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "do not match")
            self.assertNotIn(SESSION_KEY, self.client.session)

    def test_after_a_failed_login_the_error_takes_the_focus(self):
        """The error summary has autofocus; the login field gives it up (one autofocus)."""
        page = self.post_login("alice", "nope").content.decode()
        self.assertIn('<div class="alert alert-danger" role="alert" tabindex="-1" autofocus>', page)
        self.assertEqual(page.count("autofocus"), 1)
        fresh = self.client.get(reverse("portal:login")).content.decode()
        self.assertIn('id="id_login"', fresh)
        self.assertRegex(fresh, r'<input[^>]*autofocus[^>]*id="id_login"')

    def test_it_follows_a_safe_next_url_only(self):
        credentials = {"login": "alice", "password": PASSWORD}
        response = self.client.post(reverse("portal:login") + "?next=/appointments/", credentials)
        self.assertRedirects(response, "/appointments/")
        self.client.logout()
        response = self.client.post(
            reverse("portal:login") + "?next=https://evil.example/", credentials
        )
        self.assertRedirects(response, reverse("portal:dashboard"))

    def test_failed_logins_are_throttled_per_account_even_with_the_right_password(self):
        """After THROTTLE_LOGIN_ACCOUNT failures the account is locked for the window."""
        for _ in range(10):
            self.post_login("alice", "wrong")
        response = self.post_login("alice")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many login attempts", status_code=429)
        self.assertNotIn(SESSION_KEY, self.client.session)
        # Another account is not affected.
        self.assertRedirects(self.post_login("bob"), reverse("portal:dashboard"))

    def test_the_throttle_is_shared_with_the_api_login(self):
        """Failures at the API's login count against the portal's login of the same account."""
        client = api_client()
        for _ in range(10):
            send_json(client, "POST", "/cms-api/login/", {"username": "alice", "password": "x"})
        response = self.post_login("alice@example.com")
        self.assertEqual(response.status_code, 429)

    def test_a_good_login_forgives_earlier_failures(self):
        for _ in range(9):
            self.post_login("alice", "wrong")
        self.assertRedirects(self.post_login("alice"), reverse("portal:dashboard"))
        self.client.logout()
        for _ in range(9):
            self.post_login("alice", "wrong")
        self.assertRedirects(self.post_login("alice"), reverse("portal:dashboard"))

    def test_a_logged_in_user_is_sent_on(self):
        self.login()
        self.assertRedirects(
            self.client.get(reverse("portal:login")), reverse("portal:dashboard")
        )


class LogoutTests(PortalTestCase):
    def test_logout_is_post_only_and_ends_the_session(self):
        self.login()
        self.assertEqual(self.client.get(reverse("portal:logout")).status_code, 405)
        self.assertIn(SESSION_KEY, self.client.session)
        response = self.client.post(reverse("portal:logout"), follow=True)
        self.assertRedirects(response, reverse("portal:home"))
        self.assertContains(response, "You have been logged out.")
        self.assertNotIn(SESSION_KEY, self.client.session)


class CsrfTests(PortalTestCase):
    def test_every_form_post_needs_the_csrf_token(self):
        """A cross-site POST (no token) is refused on login, logout, booking and cancel."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice.user)
        appointment = self.book()
        for url in (
            reverse("portal:login"),
            reverse("portal:logout"),
            reverse("portal:register"),
            reverse("portal:book_confirm", args=[self.dr_rao.pk]),
            reverse("portal:appointment_cancel", args=[appointment.pk]),
            reverse("portal:profile_edit"),
            reverse("portal:password_forgot"),
        ):
            with self.subTest(url=url):
                self.assertEqual(client.post(url, {}).status_code, 403)
        appointment.refresh_from_db()
        self.assertEqual(appointment.status, "booked")

    def test_forms_carry_the_token(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get(reverse("portal:login"))
        self.assertContains(page, 'name="csrfmiddlewaretoken"')
        token = page.context["csrf_token"]
        response = client.post(
            reverse("portal:login"),
            {"login": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
        )
        self.assertRedirects(response, reverse("portal:dashboard"))
