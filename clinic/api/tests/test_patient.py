import io

from django.test import override_settings
from PIL import Image

from clinic.api.tests.base import ApiTestCase
from clinic.patients.models import Patient
from clinic.testing import api_client

URL = "/cms-api/patient/"


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def upload(name, data, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


class PatientGetTests(ApiTestCase):
    def test_it_shows_the_callers_profile_in_the_seed_shape(self):
        """The seed's patient shape without the password, plus age and verification flags."""
        response = self.call("GET", URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "id": self.alice.pk,
                "user": {
                    "id": self.alice.user_id,
                    "username": "alice",
                    "first_name": "Alice",
                    "last_name": "Adams",
                    "email": "alice@example.com",
                },
                "gender": "Female",
                "dob": "1990-05-17",
                "age": 39,  # on 2030-01-07
                "address": "1 Test Street",
                "phone": self.alice.phone_national,
                "profile_pic": None,
                "email_verified": False,
                "phone_verified": False,
                "sms_opt_out": False,
            },
        )
        self.assertNoSecrets(response)

    def test_it_takes_one_query(self):
        """The token with its user and patient, joined: one query."""
        client = api_client(self.alice.user)
        with self.assertNumQueries(1):
            client.get(URL)

    def test_staff_without_a_patient_profile_gets_403(self):
        self.assertError(self.call("GET", URL, user=self.staff), 403, "patient profile")

    def test_it_needs_a_token(self):
        self.assertError(self.call("GET", URL), 401)

    def test_it_refuses_other_methods(self):
        for method in ("POST", "PUT", "DELETE"):
            with self.subTest(method=method):
                self.assertError(self.call(method, URL, {}, user=self.alice.user), 405)


class PatientPatchTests(ApiTestCase):
    def patch(self, body, user=None):
        return self.call("PATCH", URL, body, user=user or self.alice.user)

    def test_it_updates_profile_fields(self):
        response = self.patch(
            {"address": "9 New Road", "first_name": "Alicia", "dob": "1990-5-18",
             "sms_opt_out": True}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["address"], "9 New Road")
        self.assertEqual(response.json()["user"]["first_name"], "Alicia")
        self.alice.refresh_from_db()
        self.alice.user.refresh_from_db()
        self.assertEqual(self.alice.address, "9 New Road")
        self.assertEqual(self.alice.user.first_name, "Alicia")
        self.assertEqual(str(self.alice.dob), "1990-05-18")
        self.assertIs(self.alice.sms_opt_out, True)

    def test_a_new_phone_is_unverified(self):
        Patient.objects.filter(pk=self.alice.pk).update(phone_verified=True)
        response = self.patch({"phone": "9000000001"})
        self.assertIs(response.json()["phone_verified"], False)

    def test_it_rejects_bad_values_and_changes_nothing(self):
        before = Patient.objects.filter(pk=self.alice.pk).values().get()
        cases = [
            ({"phone": "123"}, "phone"),
            ({"dob": "2030-02-30"}, "dob"),
            ({"dob": "2031-01-01"}, "dob"),
            ({"gender": "Robot"}, "gender"),
            ({"email": "new@example.com"}, "email"),  # not changeable here
            ({"email_verified": True}, "email_verified"),
            ({"address": ""}, "address"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertError(self.patch(body), 400, field)
        self.assertEqual(Patient.objects.filter(pk=self.alice.pk).values().get(), before)

    def test_it_replaces_the_picture_from_multipart(self):
        """A multipart PATCH with profile_pic stores a re-encoded copy under a random key."""
        client = api_client(self.alice.user)
        response = client.patch(
            URL, {"profile_pic": upload("me.png", png_bytes(), "image/png")}, format="multipart"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.profile_pic.name.startswith("pictures/patients/"))
        self.assertNotIn("me", self.alice.profile_pic.name.split("/")[-1])
        url = response.json()["profile_pic"]
        self.assertIn("/files/", url)
        download = self.client.get(url)
        self.assertEqual(download.status_code, 200)

    def test_it_refuses_a_non_image_with_415(self):
        client = api_client(self.alice.user)
        response = client.patch(
            URL, {"profile_pic": upload("me.png", b"not an image at all", "image/png")},
            format="multipart",
        )
        self.assertError(response, 415, "profile_pic")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.profile_pic.name, "")

    @override_settings(PICTURE_MAX_BYTES=100)
    def test_it_refuses_a_large_picture_with_413(self):
        client = api_client(self.alice.user)
        response = client.patch(
            URL, {"profile_pic": upload("me.png", png_bytes((300, 300)), "image/png")},
            format="multipart",
        )
        self.assertError(response, 413, "profile_pic")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.profile_pic.name, "")
