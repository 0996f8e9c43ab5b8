import datetime as dt
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.labs.models import LabReport, LabStatus
from clinic.testing import make_doctor, make_patient

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
        """Adding with a file stores a cleaned copy and marks the report generated, audited."""
        response = self.client.post(f"{REPORTS}add/", self.form(upload=png_upload()))
        self.assertEqual(response.status_code, 302)
        report = LabReport.objects.get(test="Lipid profile")
        self.assertEqual((report.status, report.original_name), (LabStatus.GENERATED, "cbc.png"))
        self.assertIs(report.is_generated, True)
        self.assertTrue(default_storage.exists(report.file.name))
        self.assertTrue(report.file.name.startswith("reports/"))
        events = AuditEvent.objects.filter(object_id=str(report.pk), object_type="labs.labreport")
        self.assertEqual(
            set(events.values_list("action", flat=True)),
            {"lab_report.admin_created", "lab_report.attached"},
        )

    def test_a_report_without_a_file_stays_ordered(self):
        """No upload, no 'generated': the status is not set by hand."""
        response = self.client.post(f"{REPORTS}add/", self.form(status="generated"))
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

    def test_an_upload_on_the_change_form_generates_the_report(self):
        """Attaching to an ordered report generates it; the page then links the file."""
        url = f"{REPORTS}{self.report.pk}/change/"
        data = {"patient": self.alice.pk, "doctor": self.dr_rao.pk, "test": "CBC",
                "date": "2029-12-03", "upload": png_upload("result.png")}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, LabStatus.GENERATED)
        page = self.client.get(url)
        self.assertContains(page, ">result.png</a>")
        self.assertContains(page, 'href="/files/')

    def test_it_searches_and_filters(self):
        other = report_for(self.bob, make_doctor(name="Dr. Lab"), status=LabStatus.GENERATED)
        for term in ["Alice", "adams", self.alice.phone]:
            with self.subTest(term=term):
                self.assertEqual(self.listed(REPORTS, q=term), [self.report])
        self.assertEqual(self.listed(REPORTS, status__exact="generated"), [other])
        self.assertEqual(self.listed(REPORTS, doctor__id__exact=self.dr_rao.pk), [self.report])

    def test_deleting_goes_through_the_service(self):
        """The delete action removes the row and, after commit, its stored file."""
        name = default_storage.save("reports/to-delete.png", ContentFile(b"x"))
        self.report.file.name = name
        self.report.save()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(REPORTS, {
                "action": "delete_selected", "_selected_action": [self.report.pk], "post": "yes",
            })
        self.assertEqual(response.status_code, 302)
        self.assertFalse(LabReport.objects.exists())
        self.assertFalse(default_storage.exists(name))
        self.assertTrue(AuditEvent.objects.filter(action="lab_report.deleted").exists())

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """Patient, user and doctor are joined."""
        queries = self.assertChangelistQueriesConstant(
            REPORTS,
            lambda k: [report_for(make_patient(), make_doctor(schedule=False)) for _ in range(k)],
        )
        # session + user, 2 counts, rows, session save (3), doctor and specialty filter
        # choices, date hierarchy (2)
        self.assertEqual(queries, 12)
