import datetime as dt
from unittest import mock

from django.core.files.storage import default_storage
from django.db import transaction

from clinic.core.errors import NotFound, UnsupportedMedia
from clinic.core.models import AuditEvent
from clinic.core.tests.files_helpers import (
    OwnMediaMixin,
    image_bytes,
    jpeg_with_gps,
    pdf_bytes,
    stored_files,
    upload,
)
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.services import lab_report_attach, lab_report_delete
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

    def test_it_stores_the_file_under_a_random_key_and_marks_the_report_generated(self):
        """The key is random (no name, no id); the original name is kept for display."""
        data = pdf_bytes()
        self.attach(data, "Alice Adams MRI.pdf")
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.GENERATED)
        self.assertEqual(self.report.original_name, "Alice Adams MRI.pdf")
        self.assertRegex(self.report.file.name, r"^reports/[A-Za-z0-9_-]{32}\.pdf$")
        self.assertNotIn("Alice", self.report.file.name)
        self.assertEqual(stored_files(), [self.report.file.name])
        with default_storage.open(self.report.file.name, "rb") as fh:
            self.assertEqual(fh.read(), data)
        event = AuditEvent.objects.get(action="lab_report.attached")
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

    def test_it_records_the_announcement_in_its_transaction(self):
        """The lab_report_ready event is written with the report; its delivery is enqueued
        only once the transaction has committed."""
        with mock.patch("clinic.notifications.events._enqueue") as enqueue:
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                lab_report_attach(
                    report=self.report, upload=upload(pdf_bytes(), "r.pdf"), actor=self.staff
                )
            event = OutboxEvent.objects.get()
            self.assertEqual(
                (event.name, event.object_id, event.status),
                ("lab_report_ready", self.report.pk, "pending"),
            )
            enqueue.assert_not_called()
            for callback in callbacks:
                callback()
        enqueue.assert_called_once_with(event.pk)

    def test_a_refused_upload_changes_nothing(self):
        """A file that lies about its type is refused; nothing is stored or marked."""
        with self.assertRaises(UnsupportedMedia):
            self.attach(b"MZ\x90\x00 not a pdf", "report.pdf")
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.file.name), (LabStatus.ORDERED, ""))
        self.assertEqual(stored_files(), [])
        self.assertFalse(AuditEvent.objects.filter(action="lab_report.attached").exists())
        self.assertFalse(OutboxEvent.objects.exists())

    def test_it_removes_the_new_file_when_the_report_is_gone(self):
        """If the report was deleted meanwhile, the just-stored file is removed again."""
        stale = LabReport.objects.get(pk=self.report.pk)
        LabReport.objects.filter(pk=self.report.pk).delete()
        with self.assertRaises(NotFound):
            lab_report_attach(report=stale, upload=upload(pdf_bytes(), "r.pdf"), actor=self.staff)
        self.assertEqual(stored_files(), [])


class LabReportDeleteTests(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 6)
        )
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report, upload=upload(pdf_bytes(), "r.pdf"), actor=self.staff
            )

    def test_it_deletes_the_report_and_its_file(self):
        """The row goes at once, the file after commit, and the delete is audited."""
        pk = self.report.pk
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            lab_report_delete(report=self.report, actor=self.staff)
        self.assertFalse(LabReport.objects.filter(pk=pk).exists())
        self.assertEqual(len(stored_files()), 1)
        for callback in callbacks:
            callback()
        self.assertEqual(stored_files(), [])
        event = AuditEvent.objects.get(action="lab_report.deleted")
        self.assertEqual((event.object_id, event.data["test"]), (str(pk), "CBC"))

    def test_a_rolled_back_delete_keeps_the_file(self):
        """If the delete's transaction rolls back, the file is still there."""
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    lab_report_delete(report=self.report, actor=self.staff)
                    raise RuntimeError("rollback")
            except RuntimeError:
                pass
        self.assertTrue(LabReport.objects.filter(pk=self.report.pk).exists())
        self.assertEqual(stored_files(), [self.report.file.name])

    def test_a_plain_model_or_queryset_delete_removes_the_file_too(self):
        """Deletes that bypass the service (shell, admin bulk action) still remove files."""
        other = LabReport.objects.create(
            patient=self.bob, doctor=self.dr_rao, test="ECG", date=dt.date(2030, 1, 6)
        )
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(report=other, upload=upload(image_bytes(), "e.jpg"), actor=self.staff)
        self.assertEqual(len(stored_files()), 2)
        with self.captureOnCommitCallbacks(execute=True):
            self.report.delete()
        self.assertEqual(stored_files(), [other.file.name])
        with self.captureOnCommitCallbacks(execute=True):
            LabReport.objects.all().delete()
        self.assertEqual(stored_files(), [])
