import datetime as dt

from django.urls import reverse

from clinic.core.tests.files_helpers import OwnMediaMixin, pdf_bytes, upload
from clinic.labs.models import LabReport
from clinic.portal.tests.base import PortalTestCase
from clinic.records.models import Consultation, PrescriptionLine
from clinic.testing import lab_report_released

DAY = dt.date(2030, 1, 3)


def consult(patient, doctor, purpose="Fever"):
    consultation = Consultation.objects.create(
        patient=patient, doctor=doctor, date=DAY, purpose=purpose, diagnosis="Viral fever"
    )
    PrescriptionLine.objects.create(
        consultation=consultation, medicine="Paracetamol", dose="500 mg",
        frequency="three times a day", duration="3 days",
    )
    return consultation


class ConsultationTests(PortalTestCase):
    def test_it_lists_the_patients_consultations_with_their_prescriptions(self):
        mine = consult(self.alice, self.dr_rao)
        consult(self.bob, self.dr_rao, purpose="Bob's secret checkup")
        self.login()
        response = self.client.get(reverse("portal:consultations"))
        self.assertContains(response, "Viral fever")
        self.assertContains(response, "Paracetamol")
        self.assertContains(response, reverse("portal:prescription_download", args=[mine.pk]))
        self.assertNotContains(response, "secret checkup")

    def test_the_prescription_link_redirects_to_a_signed_pdf(self):
        mine = consult(self.alice, self.dr_rao)
        self.login()
        response = self.client.get(reverse("portal:prescription_download", args=[mine.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith("?download=1"))
        pdf = self.client.get(response["Location"])
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("attachment", pdf["Content-Disposition"])
        self.assertTrue(pdf.content.startswith(b"%PDF-"))
        inline = self.client.get(
            self.client.get(reverse("portal:prescription_view", args=[mine.pk]))["Location"]
        )
        self.assertIn("inline", inline["Content-Disposition"])

    def test_another_patients_prescription_is_a_404(self):
        bobs = consult(self.bob, self.dr_rao)
        self.login()
        for name in ("portal:prescription_view", "portal:prescription_download"):
            with self.subTest(view=name):
                self.assertEqual(self.client.get(reverse(name, args=[bobs.pk])).status_code, 404)

    def test_the_query_count_stays_constant_as_consultations_grow(self):
        consult(self.alice, self.dr_rao)
        self.login()
        with self.assertNumQueries(8) as first:
            self.client.get(reverse("portal:consultations"))
        for n in range(4):
            consult(self.alice, self.dr_rao, purpose=f"Visit {n}")
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("portal:consultations"))
        self.assertContains(response, "Visit 3")


class LabReportTests(OwnMediaMixin, PortalTestCase):
    def report(self, patient, test="CBC", *, with_file=True):
        report = LabReport.objects.create(patient=patient, doctor=self.dr_rao, test=test, date=DAY)
        if with_file:
            with self.captureOnCommitCallbacks(execute=True):
                lab_report_released(
                    report, upload(pdf_bytes(), f"{test} result.pdf"), actor=self.staff
                )
        return report

    def test_it_lists_the_patients_reports_with_their_state(self):
        ready = self.report(self.alice)
        waiting = self.report(self.alice, "Lipid profile", with_file=False)
        self.report(self.bob, "Bob's MRI", with_file=False)
        self.login()
        response = self.client.get(reverse("portal:reports"))
        self.assertContains(response, reverse("portal:report_download", args=[ready.pk]))
        self.assertNotContains(response, reverse("portal:report_download", args=[waiting.pk]))
        self.assertContains(response, "Awaiting results")
        self.assertNotContains(response, "Bob&#x27;s MRI")

    def test_view_and_download_redirect_to_the_signed_file(self):
        ready = self.report(self.alice)
        self.login()
        download = self.client.get(reverse("portal:report_download", args=[ready.pk]))
        self.assertEqual(download.status_code, 302)
        served = self.client.get(download["Location"])
        self.assertEqual(served.status_code, 200)
        self.assertIn('attachment; filename="CBC result.pdf"', served["Content-Disposition"])
        self.assertTrue(b"".join(served.streaming_content).startswith(b"%PDF-"))
        view = self.client.get(reverse("portal:report_view", args=[ready.pk]))
        shown = self.client.get(view["Location"])
        self.assertIn("inline", shown["Content-Disposition"])

    def test_another_patients_or_an_unfinished_report_is_a_404(self):
        bobs = self.report(self.bob)
        waiting = self.report(self.alice, with_file=False)
        self.login()
        for report in (bobs, waiting):
            for name in ("portal:report_view", "portal:report_download"):
                with self.subTest(report=report.test, view=name):
                    response = self.client.get(reverse(name, args=[report.pk]))
                    self.assertEqual(response.status_code, 404)


class EnteredInErrorTests(PortalTestCase):
    def test_records_in_error_leave_the_patients_pages_and_links(self):
        """A consultation in error is gone (its prescription links are 404s, also a
        link minted before); a line in error is gone from the list."""
        voided = consult(self.alice, self.dr_rao, purpose="Voided visit")
        kept = consult(self.alice, self.dr_rao, purpose="Kept visit")
        PrescriptionLine.objects.create(
            consultation=kept, position=1, medicine="Penicillin", dose="1 g",
            frequency="daily", duration="5 days",
        )
        Consultation.objects.filter(pk=kept.pk).update(icd10="J06.9")
        self.login()
        minted = self.client.get(reverse("portal:prescription_view", args=[voided.pk]))
        Consultation.objects.filter(pk=voided.pk).update(
            entered_in_error_at=DAY, error_reason="Wrong patient"
        )
        kept.lines.filter(medicine="Penicillin").update(
            entered_in_error_at=DAY, error_reason="Allergic"
        )
        page = self.client.get(reverse("portal:consultations"))
        self.assertContains(page, "Kept visit")
        self.assertContains(page, "J06.9")
        self.assertNotContains(page, "Voided visit")
        self.assertNotContains(page, "Penicillin")
        for name in ("portal:prescription_view", "portal:prescription_download"):
            with self.subTest(view=name):
                self.assertEqual(self.client.get(reverse(name, args=[voided.pk])).status_code, 404)
        self.assertEqual(self.client.get(minted["Location"]).status_code, 404)
