"""Clinical records keep their history: who changed what, and when (django-simple-history)."""

import datetime as dt

from clinic.core.tests.admin_cases import AdminTestCase
from clinic.labs.models import LabReport
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.tests.test_admin import consultation_for


class HistoryTests(AdminTestCase):
    def test_every_save_of_a_clinical_record_is_kept(self):
        """Creating and editing a consultation, a line and a lab report leaves one row each."""
        visit = consultation_for(self.alice, self.dr_rao, lines=1)
        line = visit.lines.get()
        report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2029, 12, 3)
        )
        visit.diagnosis = "Pneumonia"
        visit.save()
        line.dose = "250 mg"
        line.save()
        report.test = "Lipid profile"
        report.save()

        self.assertEqual(
            list(visit.history.values_list("history_type", "diagnosis")),
            [("~", "Pneumonia"), ("+", "Bronchitis")],
        )
        self.assertEqual(
            list(line.history.values_list("history_type", "dose")),
            [("~", "250 mg"), ("+", "500 mg")],
        )
        self.assertEqual(
            list(report.history.values_list("history_type", "test")),
            [("~", "Lipid profile"), ("+", "CBC")],
        )

    def test_an_admin_edit_records_the_staff_member(self):
        """The request's user is stored on the history row (HistoryRequestMiddleware)."""
        visit = consultation_for(self.alice, self.dr_rao, lines=0)
        response = self.client.post(
            f"/admin/records/consultation/{visit.pk}/change/",
            {
                "patient": self.alice.pk,
                "doctor": self.dr_rao.pk,
                "date": "2029-12-01",
                "purpose": "Cough",
                "diagnosis": "Asthma",
                "notes": "",
                "lines-TOTAL_FORMS": "0",
                "lines-INITIAL_FORMS": "0",
                "lines-MIN_NUM_FORMS": "0",
                "lines-MAX_NUM_FORMS": "1000",
            },
        )
        self.assertEqual(response.status_code, 302)
        latest = visit.history.first()
        self.assertEqual((latest.diagnosis, latest.history_user), ("Asthma", self.staff))

    def test_staff_can_read_the_history_in_the_admin(self):
        """Each clinical record's admin has a history page listing the changes.

        Reverting is off: a record's state moves only through its services.
        """
        visit = consultation_for(self.alice, self.dr_rao, lines=1)
        report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2029, 12, 3)
        )
        pages = {
            f"/admin/records/consultation/{visit.pk}/history/": Consultation,
            f"/admin/records/prescriptionline/{visit.lines.get().pk}/history/": PrescriptionLine,
            f"/admin/labs/labreport/{report.pk}/history/": LabReport,
        }
        for url, model in pages.items():
            with self.subTest(model=model.__name__):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                rows = list(page.context["page_obj"])
                self.assertEqual([row.history_type for row in rows], ["+"])
                self.assertIs(page.context["revert_disabled"], True)


class NoDeleteTests(AdminTestCase):
    def test_the_admin_offers_no_delete_for_consultations_and_lines(self):
        """No delete permission, no delete action, no inline delete; a forged POST is refused."""
        visit = consultation_for(self.alice, self.dr_rao, lines=1)
        line = visit.lines.get()
        for url, obj in [
            ("/admin/records/consultation/", visit),
            ("/admin/records/prescriptionline/", line),
        ]:
            with self.subTest(url=url):
                # With delete gone the changelist has no action at all.
                self.assertIsNone(self.changelist(url).context["action_form"])
                response = self.client.post(f"{url}{obj.pk}/delete/", {"post": "yes"})
                self.assertEqual(response.status_code, 403)
        page = self.client.get(f"/admin/records/consultation/{visit.pk}/change/")
        self.assertNotContains(page, 'name="lines-0-DELETE"')
        self.assertTrue(Consultation.objects.filter(pk=visit.pk).exists())
        self.assertTrue(PrescriptionLine.objects.filter(pk=line.pk).exists())
