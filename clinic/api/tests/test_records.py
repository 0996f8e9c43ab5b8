"""consultations/ and reports/: the caller's own records, with download URLs."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from clinic.api.tests.base import ApiTestCase
from clinic.labs.models import LabReport, LabStatus
from clinic.records.models import Consultation, PrescriptionLine
from clinic.testing import api_client, make_user


def make_consultation(patient, doctor, *, day=dt.date(2029, 12, 1), lines=1, scan=False):
    consultation = Consultation.objects.create(
        patient=patient, doctor=doctor, date=day, purpose="Fever", diagnosis="Viral",
        notes="Rest",
    )
    for n in range(lines):
        PrescriptionLine.objects.create(
            consultation=consultation, position=n, medicine=f"Paracetamol {n}", dose="500 mg",
            frequency="twice a day", duration="5 days", instructions="after food",
        )
    if scan:
        consultation.scan.save("xray.png", ContentFile(b"\x89PNG fake"), save=True)
    return consultation


def make_report(
    patient, doctor, *, released=False, resulted=False, day=dt.date(2029, 12, 5)
):
    """An ordered report; `resulted` gives it the lab's file, `released` a doctor's release too."""
    report = LabReport.objects.create(patient=patient, doctor=doctor, test="MRI", date=day)
    if released or resulted:
        report.file.save("x.pdf", ContentFile(b"%PDF-1.4 fake"), save=False)
        report.original_name = "mri-scan.pdf"
        report.status = LabStatus.RELEASED if released else LabStatus.RESULTED
        report.resulted_at = timezone.now()
        if released:
            report.released_at, report.released_by = timezone.now(), doctor
        report.save()
    return report


class ConsultationsTests(ApiTestCase):
    URL = "/cms-api/consultations/"

    def test_it_lists_the_callers_consultations_newest_first(self):
        old = make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 11, 1), lines=2)
        new = make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 1), scan=True)
        make_consultation(self.bob, self.dr_rao)
        response = self.call("GET", self.URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        rows = response.json()
        self.assertEqual([row["id"] for row in rows], [new.pk, old.pk])
        self.assertEqual(rows[1]["doctor"]["ofiice_number"], "101")
        self.assertEqual(rows[1]["date"], "2029-11-01")
        self.assertEqual(
            (rows[1]["purpose"], rows[1]["diagnosis"], rows[1]["notes"]), ("Fever", "Viral", "Rest")
        )
        self.assertEqual(
            rows[1]["medicines"][0],
            {"medicine": "Paracetamol 0", "dose": "500 mg", "frequency": "twice a day",
             "duration": "5 days", "instructions": "after food"},
        )
        self.assertEqual(len(rows[1]["medicines"]), 2)
        self.assertIsNone(rows[1]["scan"])
        self.assertIn("/files/", rows[0]["scan"])

    def test_the_prescription_url_serves_the_owner_only(self):
        make_consultation(self.alice, self.dr_rao)
        url = self.call("GET", self.URL, user=self.alice.user).json()[0]["prescription"]
        self.client.force_login(self.alice.user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.client.force_login(self.bob.user)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_its_query_count_is_constant(self):
        """Consultations, lines: 2 queries for N and 3N (the token with user and patient
        comes from the cache)."""
        client = api_client(self.alice.user)
        client.get(self.URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        for rows in (2, 6):
            while Consultation.objects.filter(patient=self.alice).count() < rows:
                make_consultation(self.alice, self.dr_rao, lines=2, scan=True)
            with self.subTest(rows=rows), self.assertNumQueries(2):
                response = client.get(self.URL)
            self.assertEqual(len(response.json()), rows)

    def test_errors(self):
        self.assertError(self.call("GET", self.URL), 401)
        self.assertError(self.call("GET", self.URL, user=self.staff), 403)
        self.assertError(self.call("DELETE", self.URL, {}, user=self.alice.user), 405)


class ReportsTests(ApiTestCase):
    URL = "/cms-api/reports/"

    def test_it_lists_reports_in_the_seed_shape(self):
        ordered = make_report(self.alice, self.dr_rao, day=dt.date(2029, 12, 9))
        generated = make_report(self.alice, self.dr_rao, released=True)
        make_report(self.bob, self.dr_rao, released=True)
        response = self.call("GET", self.URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        rows = response.json()
        contact = {"id": self.alice.user_id, "name": "Alice Adams", "username": "alice",
                   "gender": "Female"}
        doctor = {"doctor_id": self.dr_rao.pk, "name": "Dr. Asha Rao", "gender": "Male",
                  "domain": "Cardiology", "ofiice_number": "101"}
        self.assertEqual(
            rows[0],
            {"id": ordered.pk, "contact": contact, "doctor": doctor, "lab": "MRI",
             "date_of_report": "2029-12-09", "report_genrated": False},
        )
        self.assertEqual(rows[1]["id"], generated.pk)
        self.assertIs(rows[1]["report_genrated"], True)
        self.assertEqual(rows[1]["report"], "mri-scan.pdf")
        self.assertEqual(len(rows), 2)

        url = rows[1]["report-image"]
        self.client.force_login(self.alice.user)
        download = self.client.get(url)
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), b"%PDF-1.4 fake")
        # A copied link does not open for another patient ...
        self.client.force_login(self.bob.user)
        self.assertEqual(self.client.get(url).status_code, 403)
        # ... but does for clinic staff.
        self.client.force_login(make_user(username="nurse", is_staff=True))
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_an_unreleased_result_leaks_nothing(self):
        """A resulted report the doctor has not released is listed as pending: report_genrated
        is false and neither the file's name nor a link is given; entered in error is hidden."""
        resulted = make_report(self.alice, self.dr_rao, resulted=True)
        in_error = make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 1))
        LabReport.objects.filter(pk=in_error.pk).update(status=LabStatus.ENTERED_IN_ERROR)
        rows = self.call("GET", self.URL, user=self.alice.user).json()
        self.assertEqual([row["id"] for row in rows], [resulted.pk])
        self.assertIs(rows[0]["report_genrated"], False)
        self.assertNotIn("report", rows[0])
        self.assertNotIn("report-image", rows[0])
        self.assertNotIn(resulted.file.name, str(rows))

    def test_its_query_count_is_constant(self):
        """Reports: 1 query for N and 3N reports (the token with user and patient comes
        from the cache)."""
        client = api_client(self.alice.user)
        client.get(self.URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        for rows in (2, 6):
            while LabReport.objects.filter(patient=self.alice).count() < rows:
                make_report(self.alice, self.dr_rao, released=True)
            with self.subTest(rows=rows), self.assertNumQueries(1):
                response = client.get(self.URL)
            self.assertEqual(len(response.json()), rows)

    def test_errors(self):
        self.assertError(self.call("GET", self.URL), 401)
        self.assertError(self.call("GET", self.URL, user=self.staff), 403)
        self.assertError(self.call("POST", self.URL, {}, user=self.alice.user), 405)


class EnteredInErrorHiddenTests(ApiTestCase):
    """Records entered in error leave the patient's API lists (the rows keep their shape)."""

    URL = "/cms-api/consultations/"

    def test_consultations_and_lines_in_error_are_not_listed(self):
        kept = make_consultation(self.alice, self.dr_rao, lines=2)
        voided = make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 2))
        Consultation.objects.filter(pk=voided.pk).update(
            entered_in_error_at=timezone.now(), error_reason="Wrong patient"
        )
        kept.lines.filter(position=0).update(
            entered_in_error_at=timezone.now(), error_reason="Wrong drug"
        )
        response = self.call("GET", self.URL, user=self.alice.user)
        rows = response.json()
        self.assertEqual([row["id"] for row in rows], [kept.pk])
        self.assertEqual([m["medicine"] for m in rows[0]["medicines"]], ["Paracetamol 1"])
