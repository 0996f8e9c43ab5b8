import datetime as dt
from unittest import mock

from django.core.files.storage import default_storage

from clinic.core.errors import Conflict, NotFound, UnsupportedMedia
from clinic.core.models import AuditEvent, RecordDeleteRefused
from clinic.core.tests.files_helpers import (
    OwnMediaMixin,
    image_bytes,
    jpeg_with_gps,
    pdf_bytes,
    stored_files,
    upload,
)
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.services import lab_report_attach
from clinic.notifications.models import OutboxEvent
from clinic.testing import BaseTestCase


class LabReportAttachTests(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="MRI", date=dt.date(2030, 1, 6)
        )

    def attach(self, data, name, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return lab_report_attach(
                report=self.report, upload=upload(data, name), actor=self.staff
            )

    def test_it_stores_the_file_under_a_random_key_and_marks_the_report_resulted(self):
        """The key is random (no name, no id); the original name is kept for display."""
        data = pdf_bytes()
        self.attach(data, "Alice Adams MRI.pdf")
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.RESULTED)
        self.assertIsNotNone(self.report.resulted_at)
        self.assertEqual(self.report.original_name, "Alice Adams MRI.pdf")
        self.assertRegex(self.report.file.name, r"^reports/[A-Za-z0-9_-]{32}\.pdf$")
        self.assertNotIn("Alice", self.report.file.name)
        self.assertEqual(stored_files(), [self.report.file.name])
        with default_storage.open(self.report.file.name, "rb") as fh:
            self.assertEqual(fh.read(), data)
        event = AuditEvent.objects.get(action="lab_report.resulted")
        self.assertEqual((event.actor, event.object_id), (self.staff, str(self.report.pk)))

    def test_it_strips_gps_from_image_reports(self):
        """An image report is stored re-encoded, without its GPS EXIF."""
        self.attach(jpeg_with_gps(), "scan.jpg")
        with default_storage.open(self.report.file.name, "rb") as fh:
            stored = fh.read()
        self.assertNotIn(b"Exif", stored)
        self.assertNotIn(b"PhoneCam", stored)

    def test_replacing_the_file_removes_the_old_one_after_commit(self):
        """The previous file stays until commit, then only the new one is left."""
        self.attach(pdf_bytes(), "first.pdf")
        first = self.report.file.name
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            lab_report_attach(
                report=self.report, upload=upload(image_bytes(), "second.jpg"), actor=self.staff
            )
        self.assertIn(first, stored_files())  # not yet committed
        for callback in callbacks:
            callback()
        self.assertEqual(stored_files(), [self.report.file.name])
        self.assertNotEqual(self.report.file.name, first)

    def test_a_result_is_not_announced(self):
        """Attaching the lab's file tells the patient nothing: that waits for the release."""
        self.attach(pdf_bytes(), "r.pdf")
        self.assertFalse(OutboxEvent.objects.exists())

    def test_a_refused_upload_changes_nothing(self):
        """A file that lies about its type is refused; nothing is stored or marked."""
        with self.assertRaises(UnsupportedMedia):
            self.attach(b"MZ\x90\x00 not a pdf", "report.pdf")
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.file.name), (LabStatus.ORDERED, ""))
        self.assertEqual(stored_files(), [])
        self.assertFalse(AuditEvent.objects.filter(action="lab_report.resulted").exists())
        self.assertFalse(OutboxEvent.objects.exists())

    def test_it_removes_the_new_file_when_the_report_changed_meanwhile(self):
        """If another upload won the race, the just-stored file is removed again."""
        stale = LabReport.objects.get(pk=self.report.pk)
        self.attach(pdf_bytes(), "first.pdf")
        with mock.patch("clinic.labs.services._current", return_value=stale):
            with self.assertRaises(Conflict):
                lab_report_attach(
                    report=stale, upload=upload(pdf_bytes(), "r.pdf"), actor=self.staff
                )
        self.report.refresh_from_db()
        self.assertEqual(stored_files(), [self.report.file.name])
        self.assertEqual(self.report.original_name, "first.pdf")

    def test_an_unknown_report_is_not_found(self):
        stale = LabReport(pk=999999, patient=self.alice, doctor=self.dr_rao, test="x")
        with self.assertRaises(NotFound):
            lab_report_attach(report=stale, upload=upload(pdf_bytes(), "r.pdf"), actor=self.staff)
        self.assertEqual(stored_files(), [])


class LabReportKeptTests(BaseTestCase):
    def test_a_lab_report_cannot_be_deleted(self):
        """Neither the model nor a queryset deletes a clinical record."""
        report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 6)
        )
        with self.assertRaises(RecordDeleteRefused):
            report.delete()
        with self.assertRaises(RecordDeleteRefused):
            LabReport.objects.filter(pk=report.pk).delete()
        self.assertTrue(LabReport.objects.filter(pk=report.pk).exists())
