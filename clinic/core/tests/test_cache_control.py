"""Answers with private data say `Cache-Control: no-store`; public pages stay cacheable."""

from django.core.files.base import ContentFile

from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes
from clinic.testing import PASSWORD, BaseTestCase, api_client, verified_login


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


class PrivateAnswersTests(BaseTestCase):
    def test_api_answers_are_never_stored(self):
        """A token, a profile, a booking list and an error: all no-store."""
        client = api_client(self.alice.user)
        login = api_client().post(
            "/cms-api/login/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        for response in (
            login,
            client.get("/cms-api/patient/"),
            client.get("/cms-api/booking/"),
            client.get("/cms-api/history/"),
            api_client().get("/cms-api/patient/"),
        ):
            with self.subTest(path=response.request["PATH_INFO"], status=response.status_code):
                self.assertIs(_no_store(response), True)

    def test_portal_pages_of_a_signed_in_patient_are_never_stored(self):
        """The dashboard, appointments and profile pages: no-store."""
        self.client.force_login(self.alice.user)
        for path in ("/dashboard/", "/appointments/", "/profile/", "/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertIs(_no_store(response), True)

    def test_admin_pages_are_never_stored(self):
        """Staff pages show every patient's data: no-store."""
        verified_login(self.client, self.staff)
        response = self.client.get("/admin/patients/patient/")
        self.assertEqual(response.status_code, 200)
        self.assertIs(_no_store(response), True)

    def test_public_pages_for_anonymous_visitors_may_be_cached(self):
        """Home and the doctor list hold no private data: no no-store, but Vary: Cookie."""
        for path in ("/", "/doctors/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertIs(_no_store(response), False)
                self.assertIn("Cookie", response["Vary"])


class PublicFilesTests(OwnMediaMixin, BaseTestCase):
    def test_doctor_pictures_stay_cacheable_for_patients_too(self):
        """The view's public caching is kept even when a patient is signed in."""
        from clinic.doctors.pictures import doctor_picture_url

        self.dr_rao.profile_pic.save("rao.png", ContentFile(image_bytes("PNG")), save=True)
        self.client.force_login(self.alice.user)
        response = self.client.get(doctor_picture_url(self.dr_rao))
        self.assertEqual(response.status_code, 200)
        self.assertIn("public", response["Cache-Control"])
