from django.test import override_settings

from clinic.accounts.models import User
from clinic.api.tests.base import ApiTestCase
from clinic.api.tests.test_login import rest_framework_with
from clinic.patients.models import Patient

URL = "/cms-api/signup/"


def seed_body(**changes):
    user = {
        "username": "carol",
        "password": "Sturdy-Passw0rd-42",
        "first_name": "Carol",
        "last_name": "Chen",
        "email": "carol@example.com",
        **changes.pop("user", {}),
    }
    return {
        "user": user,
        "gender": "Female",
        "dob": "1991-07-6",
        "address": "4 Lake View",
        "phone": "9876543210",
        **changes,
    }


class SignupTests(ApiTestCase):
    def test_it_registers_a_patient_in_the_seed_shape(self):
        """201 {"MSG": "DATA SAVED", "DATA": {...}}; DATA.user has no password key."""
        response = self.call("POST", URL, seed_body())
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        patient = Patient.objects.get(user__username="carol")
        self.assertEqual(body["MSG"], "DATA SAVED")
        self.assertEqual(
            body["DATA"]["user"],
            {
                "id": patient.user_id,
                "username": "carol",
                "first_name": "Carol",
                "last_name": "Chen",
                "email": "carol@example.com",
            },
        )
        self.assertEqual(body["DATA"]["id"], patient.pk)
        self.assertEqual(body["DATA"]["dob"], "1991-07-06")
        self.assertEqual(body["DATA"]["gender"], "Female")
        self.assertEqual(body["DATA"]["phone"], "9876543210")
        self.assertIsNone(body["DATA"]["profile_pic"])
        self.assertNoSecrets(response, "Sturdy-Passw0rd-42")
        self.assertIs(patient.user.check_password("Sturdy-Passw0rd-42"), True)

    def test_a_missing_or_taken_username_is_generated(self):
        first = self.call("POST", URL, seed_body(user={"username": "alice"}))
        self.assertEqual(first.status_code, 201, first.content)
        self.assertNotEqual(first.json()["DATA"]["user"]["username"], "alice")
        body = seed_body(user={"email": "dan@example.com"})
        del body["user"]["username"]
        second = self.call("POST", URL, body)
        self.assertEqual(second.status_code, 201, second.content)
        self.assertTrue(second.json()["DATA"]["user"]["username"])

    def test_it_rejects_bad_fields_and_saves_nothing(self):
        cases = [
            (seed_body(gender="male"), "gender"),
            (seed_body(dob="2031-01-01"), "dob"),  # the future (now is 2030-01-07)
            (seed_body(dob="1990-02-30"), "dob"),
            (seed_body(dob="06-07-1991"), "dob"),
            (seed_body(phone="12345"), "phone"),
            (seed_body(phone="98765432100"), "phone"),
            (seed_body(phone="98765abcde"), "phone"),
            (seed_body(user={"email": "not-an-email"}), "user.email"),
            (seed_body(user={"email": "ALICE@example.com"}), "email"),  # taken, any case
            (seed_body(user={"password": "123"}), "password"),
            (seed_body(user={"first_name": ""}), "user.first_name"),
            ({k: v for k, v in seed_body().items() if k != "address"}, "address"),
            ({k: v for k, v in seed_body().items() if k != "user"}, "user"),
            ({**seed_body(), "user": "carol"}, "user"),
        ]
        users = User.objects.count()
        for body, field in cases:
            with self.subTest(field=field, body=body):
                self.assertError(self.call("POST", URL, body), 400, field)
        self.assertEqual(User.objects.count(), users)
        self.assertIs(Patient.objects.filter(user__first_name="Carol").exists(), False)

    def test_it_rejects_malformed_json_and_other_methods(self):
        self.assertError(self.call("POST", URL, raw='{"user": '), 400, "Malformed")
        self.assertError(self.call("POST", URL, raw=""), 400, "user")
        self.assertError(self.call("GET", URL), 405)

    @override_settings(REST_FRAMEWORK=rest_framework_with(signup_client="2/hour"))
    def test_sign_ups_are_throttled_per_client(self):
        for n in range(2):
            body = seed_body(user={"username": f"p{n}", "email": f"p{n}@example.com"})
            self.assertEqual(self.call("POST", URL, body, REMOTE_ADDR="10.2.2.2").status_code, 201)
        body = seed_body(user={"username": "p9", "email": "p9@example.com"})
        response = self.call("POST", URL, body, REMOTE_ADDR="10.2.2.2")
        self.assertError(response, 429)
        self.assertIn("Retry-After", response)
        self.assertEqual(self.call("POST", URL, body, REMOTE_ADDR="10.2.2.3").status_code, 201)
