"""ordered -> resulted -> released (or entered in error), one service per step."""

import datetime as dt
from unittest import mock

from clinic.core.errors import Conflict, Forbidden, InvalidInput
from clinic.core.models import AuditEvent
from clinic.core.tests.files_helpers import OwnMediaMixin, pdf_bytes, upload
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.selectors import lab_report_list_for, lab_report_released_for
from clinic.labs.services import (
    lab_report_attach,
    lab_report_mark_entered_in_error,
    lab_report_order,
    lab_report_release,
)
from clinic.notifications.messages import render
from clinic.notifications.models import OutboxEvent
from clinic.testing import BaseTestCase, doctor_account


class LabReportOrderTests(BaseTestCase):
    def test_a_doctor_orders_a_test(self):
        """The report starts ordered, dated as given, audited, with a first history row."""
        report = lab_report_order(
            patient=self.alice,
            doctor=self.dr_rao,
            test=" CBC ",
            date=dt.date(2030, 1, 6),
            actor=self.staff,
        )
        report.refresh_from_db()
        self.assertEqual((report.status, report.test), (LabStatus.ORDERED, "CBC"))
        self.assertTrue(AuditEvent.objects.filter(action="lab_report.ordered").exists())
        self.assertEqual(list(report.history.values_list("history_type", flat=True)), ["+"])

    def test_a_missing_or_long_test_name_is_refused(self):
        for test in ["", "   ", "x" * 121]:
            with self.subTest(test=test), self.assertRaises(InvalidInput) as refused:
                lab_report_order(patient=self.alice, doctor=self.dr_rao, test=test, actor=None)
            self.assertEqual(refused.exception.field, "test")
        self.assertFalse(LabReport.objects.exists())


class LabReportReleaseTests(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 6)
        )
        self.doctor_user = doctor_account(self.dr_rao)

    def result(self):
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(report=self.report, upload=upload(pdf_bytes(), "r.pdf"), actor=None)

    def release(self, report=None, actor=None):
        lab_report_release(report=report or self.report, actor=actor or self.doctor_user)

    def announced(self) -> list[int]:
        return list(
            OutboxEvent.objects.filter(name="lab_report_ready").values_list("object_id", flat=True)
        )

    def test_a_doctor_releases_a_result_and_the_patient_is_told(self):
        """The release records the doctor and the time, and announces the report once."""
        self.result()
        self.assertIsNone(lab_report_released_for(patient=self.alice, report_id=self.report.pk))
        self.assertEqual(self.announced(), [])
        self.release()
        self.assertEqual(self.announced(), [self.report.pk])
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.status, self.report.released_by), (LabStatus.RELEASED, self.dr_rao)
        )
        self.assertIsNotNone(self.report.released_at)
        self.assertEqual(
            lab_report_released_for(patient=self.alice, report_id=self.report.pk), self.report
        )
        latest = self.report.history.first()
        self.assertEqual(
            (latest.status, latest.history_user, latest.history_change_reason),
            (LabStatus.RELEASED, self.doctor_user, "released"),
        )
        event = AuditEvent.objects.get(action="lab_report.released")
        self.assertEqual(event.data, {"doctor_id": self.dr_rao.pk})

    def test_only_a_doctors_account_can_release(self):
        """Staff without a doctor profile are refused, and nothing changes."""
        self.result()
        with self.assertRaises(Forbidden):
            self.release(actor=self.staff)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.RESULTED)
        self.assertFalse(AuditEvent.objects.filter(action="lab_report.released").exists())

    def test_an_ordered_report_cannot_be_released(self):
        """No result, no release: a clear refusal, nothing announced."""
        with self.assertRaisesMessage(Conflict, "it is still awaiting its result"):
            lab_report_release(report=self.report, actor=self.doctor_user)
        self.assertEqual(self.announced(), [])
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.ORDERED)

    def test_a_second_release_from_a_stale_copy_loses_the_swap(self):
        """Two doctors releasing together: one wins, the other gets a Conflict; one message."""
        self.result()
        stale = LabReport.objects.get(pk=self.report.pk)
        self.release()
        with mock.patch("clinic.labs.services._require"):  # as if both checked first
            with self.assertRaisesMessage(Conflict, "changed meanwhile"):
                lab_report_release(report=stale, actor=self.doctor_user)
        self.assertEqual(self.announced(), [self.report.pk])
        self.assertEqual(self.report.history.filter(status=LabStatus.RELEASED).count(), 1)

    def test_a_released_report_keeps_its_file(self):
        """After the release the result is fixed: a new upload is refused and stores nothing."""
        self.result()
        self.release()
        name = LabReport.objects.get(pk=self.report.pk).file.name
        with self.assertRaisesMessage(Conflict, "has already been released"):
            lab_report_attach(report=self.report, upload=upload(pdf_bytes(), "x.pdf"), actor=None)
        self.assertEqual(LabReport.objects.get(pk=self.report.pk).file.name, name)

    def test_the_message_is_not_sent_for_a_report_no_longer_released(self):
        """The ready message renders only while the report is released."""
        self.result()
        context = {"report_id": self.report.pk}
        self.assertIsNone(render(template="lab_report_ready", channel="email", context=context))
        self.release()
        self.assertIsNotNone(render(template="lab_report_ready", channel="email", context=context))
        lab_report_mark_entered_in_error(report=self.report, reason="Wrong patient", actor=None)
        self.assertIsNone(render(template="lab_report_ready", channel="email", context=context))


class LabReportEnteredInErrorTests(OwnMediaMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 6)
        )

    def test_it_leaves_the_patients_views_but_is_kept(self):
        """The report and its history stay; the patient's list no longer has it."""
        lab_report_mark_entered_in_error(
            report=self.report, reason="Ordered for the wrong patient", actor=self.staff
        )
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.status, self.report.error_reason, self.report.entered_in_error_by),
            (LabStatus.ENTERED_IN_ERROR, "Ordered for the wrong patient", self.staff),
        )
        self.assertNotIn(self.report, lab_report_list_for(patient=self.alice))
        self.assertEqual(self.report.history.count(), 2)
        self.assertTrue(AuditEvent.objects.filter(action="lab_report.entered_in_error").exists())

    def test_a_reason_is_required_and_it_happens_once(self):
        for reason in ["", "  ", "x" * 201]:
            with self.subTest(reason=reason), self.assertRaises(InvalidInput):
                lab_report_mark_entered_in_error(report=self.report, reason=reason, actor=None)
        self.assertEqual(LabReport.objects.get().status, LabStatus.ORDERED)
        lab_report_mark_entered_in_error(report=self.report, reason="Duplicate", actor=None)
        with self.assertRaisesMessage(Conflict, "was entered in error"):
            lab_report_mark_entered_in_error(report=self.report, reason="Again", actor=None)
        with self.assertRaises(Conflict):
            lab_report_attach(report=self.report, upload=upload(pdf_bytes(), "r.pdf"), actor=None)
