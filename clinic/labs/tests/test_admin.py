import datetime as dt
import io

from django.contrib import admin
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.labs.models import LabReport, LabStatus
from clinic.testing import doctor_account, make_doctor, make_patient, verified_login

REPORTS = "/admin/labs/labreport/"


def png_upload(name="cbc.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def report_for(patient, doctor, **extra) -> LabReport:
    return LabReport.objects.create(
        patient=patient, doctor=doctor, test="CBC", date=dt.date(2029, 12, 3), **extra
    )


class LabReportAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.report = report_for(self.alice, self.dr_rao)

    def form(self, **fields) -> dict:
        return {"patient": self.alice.pk, "doctor": self.dr_rao.pk, "test": "Lipid profile",
                "date": "2029-12-10", **fields}

    def test_it_shows_the_pages(self):
        self.changelist(REPORTS)
        self.assertEqual(self.client.get(f"{REPORTS}add/").status_code, 200)
        page = self.client.get(f"{REPORTS}{self.report.pk}/change/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="status"')  # moved by uploads only

    def test_an_upload_goes_through_the_attach_service(self):
        """Adding with a file orders the test, stores a cleaned copy and marks the report
        resulted (not released), audited."""
        response = self.client.post(f"{REPORTS}add/", self.form(upload=png_upload()))
        self.assertEqual(response.status_code, 302)
        report = LabReport.objects.get(test="Lipid profile")
        self.assertEqual((report.status, report.original_name), (LabStatus.RESULTED, "cbc.png"))
        self.assertIs(report.is_released, False)
        self.assertTrue(default_storage.exists(report.file.name))
        self.assertTrue(report.file.name.startswith("reports/"))
        events = AuditEvent.objects.filter(object_id=str(report.pk), object_type="labs.labreport")
        self.assertEqual(
            set(events.values_list("action", flat=True)),
            {"lab_report.ordered", "lab_report.resulted"},
        )

    def test_a_report_without_a_file_stays_ordered(self):
        """No upload, no result: the status is not set by hand."""
        response = self.client.post(f"{REPORTS}add/", self.form(status="released"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(LabReport.objects.get(test="Lipid profile").status, LabStatus.ORDERED)

    def test_a_bad_file_is_a_form_error_and_writes_nothing(self):
        """A file that is no image or PDF is refused on the field; no report, no audit event."""
        before = (LabReport.objects.count(), AuditEvent.objects.count())
        bad = SimpleUploadedFile("cbc.pdf", b"just some text", content_type="application/pdf")
        response = self.client.post(f"{REPORTS}add/", self.form(upload=bad))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors.get("upload"))
        self.assertEqual((LabReport.objects.count(), AuditEvent.objects.count()), before)

    def test_an_upload_on_the_change_form_results_the_report(self):
        """Attaching to an ordered report results it; the page then links the file."""
        url = f"{REPORTS}{self.report.pk}/change/"
        data = {"patient": self.alice.pk, "doctor": self.dr_rao.pk, "test": "CBC",
                "date": "2029-12-03", "upload": png_upload("result.png")}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.RESULTED)
        page = self.client.get(url)
        self.assertContains(page, ">result.png</a>")
        self.assertContains(page, 'href="/files/')

    def test_it_searches_and_filters(self):
        other = report_for(self.bob, make_doctor(name="Dr. Lab"))
        LabReport.objects.filter(pk=other.pk).update(status=LabStatus.ENTERED_IN_ERROR)
        for term in ["Alice", "adams", self.alice.phone_national]:
            with self.subTest(term=term):
                self.assertEqual(self.listed(REPORTS, q=term), [self.report])
        self.assertEqual(self.listed(REPORTS, status__exact="entered_in_error"), [other])
        self.assertEqual(self.listed(REPORTS, doctor__id__exact=self.dr_rao.pk), [self.report])

    def test_nothing_can_be_deleted(self):
        """No delete permission, no delete action, and a forged delete POST is refused."""
        choices = self.changelist(REPORTS).context["action_form"].fields["action"].choices
        self.assertNotIn("delete_selected", [value for value, _ in choices])
        self.assertIn("release_selected", [value for value, _ in choices])
        model_admin = admin.site._registry[LabReport]
        request = self.client.get(REPORTS).wsgi_request
        self.assertIs(model_admin.has_delete_permission(request, self.report), False)
        self.assertNotIn("delete_selected", model_admin.get_actions(request))
        response = self.client.post(f"{REPORTS}{self.report.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        response = self.client.post(REPORTS, {
            "action": "delete_selected", "_selected_action": [self.report.pk], "post": "yes",
        })
        self.assertTrue(LabReport.objects.filter(pk=self.report.pk).exists())

    def change(self, report, **fields):
        data = {"patient": report.patient_id, "doctor": report.doctor_id, "test": report.test,
                "date": report.date.isoformat(), **fields}
        return self.client.post(f"{REPORTS}{report.pk}/change/", data)

    def resulted(self):
        self.assertEqual(self.change(self.report, upload=png_upload()).status_code, 302)
        self.report.refresh_from_db()

    def test_a_doctor_releases_a_result_from_the_change_form(self):
        """Ticking 'release' as a doctor releases the report, recording that doctor."""
        self.resulted()
        verified_login(self.client, doctor_account(self.dr_rao))
        self.dr_rao.user.is_superuser = True
        self.dr_rao.user.save()
        self.assertEqual(self.change(self.report, release="on").status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.status, self.report.released_by), (LabStatus.RELEASED, self.dr_rao)
        )

    def test_a_release_by_staff_without_a_doctor_is_a_form_error(self):
        """The refusal shows on the form; the report stays resulted."""
        self.resulted()
        response = self.change(self.report, release="on")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Only a doctor can release a lab report")
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.RESULTED)

    def test_the_release_action_reports_each_refusal(self):
        """The changelist action releases what it can and names what it could not."""
        self.resulted()
        waiting = report_for(self.alice, self.dr_rao)
        verified_login(self.client, doctor_account(self.dr_rao))
        self.dr_rao.user.is_superuser = True
        self.dr_rao.user.save()
        response = self.client.post(REPORTS, {
            "action": "release_selected", "_selected_action": [self.report.pk, waiting.pk],
        }, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        self.assertIn("Released 1 report(s).", shown)
        self.assertTrue(any("still awaiting its result" in m for m in shown), shown)
        self.assertEqual(
            dict(LabReport.objects.values_list("pk", "status")),
            {self.report.pk: LabStatus.RELEASED, waiting.pk: LabStatus.ORDERED},
        )

    def test_entered_in_error_needs_a_reason(self):
        """Without a reason the form refuses; with one the report is kept, marked, read-only."""
        response = self.change(self.report, entered_in_error="on")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors.get("reason"))
        self.assertEqual(LabReport.objects.get(pk=self.report.pk).status, LabStatus.ORDERED)
        response = self.change(self.report, entered_in_error="on", reason="Wrong patient")
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.status, self.report.error_reason),
            (LabStatus.ENTERED_IN_ERROR, "Wrong patient"),
        )
        page = self.client.get(f"{REPORTS}{self.report.pk}/change/")
        self.assertNotContains(page, 'name="upload"')
        self.assertNotContains(page, 'name="test"')

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """Patient, user and doctor are joined."""
        queries = self.assertChangelistQueriesConstant(
            REPORTS,
            lambda k: [report_for(make_patient(), make_doctor(schedule=False)) for _ in range(k)],
        )
        # session + user + device, 2 counts, rows, session save (3), doctor and specialty filter
        # choices, date hierarchy (2)
        self.assertEqual(queries, 13)
