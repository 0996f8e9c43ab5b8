import datetime as dt

import time_machine
from django.conf import settings
from django.core.files.storage import default_storage

from clinic.core.downloads import file_url
from clinic.core.errors import Forbidden
from clinic.core.tests.files_helpers import (
    OwnMediaMixin,
    image_bytes,
    pdf_bytes,
    upload,
)
from clinic.labs.models import LabReport
from clinic.labs.services import lab_report_attach
from clinic.testing import FIXED_NOW, BaseTestCase


@time_machine.travel(FIXED_NOW, tick=False)
class LocalDownloadTests(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 6)
        )
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report, upload=upload(pdf_bytes(), "CBC Jan.pdf"), actor=self.staff
            )
        with default_storage.open(self.report.file.name, "rb") as fh:
            self.stored = fh.read()

    def url_for(self, user, **kwargs):
        return file_url(self.report.file, user=user, filename=self.report.original_name, **kwargs)

    def test_it_serves_the_owner_privately(self):
        """The owner gets the bytes with no-store caching, nosniff and the original name."""
        self.client.force_login(self.alice.user)
        response = self.client.get(self.url_for(self.alice.user))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), self.stored)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="CBC Jan.pdf"')

    def test_it_serves_staff(self):
        """Staff get the file with their own link, and may open a patient's link too."""
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.url_for(self.staff)).status_code, 200)
        self.assertEqual(self.client.get(self.url_for(self.alice.user)).status_code, 200)

    def test_it_refuses_another_patients_session(self):
        """Alice's link opened in Bob's session is refused."""
        self.client.force_login(self.bob.user)
        response = self.client.get(self.url_for(self.alice.user))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.stored[:20], response.content)

    def test_it_refuses_an_expired_link(self):
        """A link older than FILE_URL_TTL_SECONDS is refused; just before that it works."""
        url = self.url_for(self.alice.user)
        self.client.force_login(self.alice.user)
        ttl = settings.FILE_URL_TTL_SECONDS
        with time_machine.travel(FIXED_NOW + dt.timedelta(seconds=ttl - 1), tick=False):
            self.assertEqual(self.client.get(url).status_code, 200)
        with time_machine.travel(FIXED_NOW + dt.timedelta(seconds=ttl + 1), tick=False):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"expired", response.content)

    def test_it_refuses_a_tampered_link(self):
        """Changing any character of the token gives a 404."""
        url = self.url_for(self.alice.user)
        token = url.rstrip("/").rsplit("/", 1)[1]
        flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
        self.client.force_login(self.alice.user)
        self.assertEqual(self.client.get(url.replace(token, flipped)).status_code, 404)
        self.assertEqual(self.client.get("/files/not-a-token/").status_code, 404)

    def test_it_dies_with_the_account_it_was_issued_to(self):
        """A link issued to an account that was deactivated no longer works."""
        url = self.url_for(self.alice.user)
        self.alice.user.is_active = False
        self.alice.user.save(update_fields=["is_active"])
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_it_serves_the_link_without_a_session(self):
        """The signed link itself is the credential (API clients have no cookie)."""
        response = self.client.get(self.url_for(self.alice.user, attachment=True))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="CBC Jan.pdf"')

    def test_it_issues_no_link_to_anonymous_users(self):
        """No URL is made for a signed-out user."""
        from django.contrib.auth.models import AnonymousUser

        with self.assertRaises(Forbidden):
            self.url_for(AnonymousUser())

    def test_an_old_link_stops_working_once_the_file_is_replaced(self):
        """Replacing the report's file removes the old one: its link answers 404."""
        old_url = self.url_for(self.alice.user)
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report, upload=upload(image_bytes("PNG"), "cbc.png"), actor=self.staff
            )
        self.client.force_login(self.alice.user)
        self.assertEqual(self.client.get(old_url).status_code, 404)
        response = self.client.get(self.url_for(self.alice.user))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_the_shown_name_follows_the_real_type(self):
        """An upload named .png that is really a JPEG downloads as .jpg."""
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report,
                upload=upload(image_bytes("JPEG"), "x-ray.png"),
                actor=self.staff,
            )
        response = self.client.get(self.url_for(self.alice.user))
        self.assertEqual(response["Content-Disposition"], 'inline; filename="x-ray.jpg"')
        self.assertEqual(response["Content-Type"], "image/jpeg")
