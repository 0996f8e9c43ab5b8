import datetime as dt
import io

import time_machine
from django.conf import settings
from pypdf import PdfReader

from clinic.core.errors import Forbidden
from clinic.records.downloads import prescription_url
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.prescriptions import latin1, prescription_pdf
from clinic.testing import FIXED_NOW, BaseTestCase

LINES = [
    ("Amoxicillin", "500 mg", "three times a day", "5 days", "after food"),
    ("Paracetamol", "650 mg", "when needed", "3 days", "not more than 4 a day"),
]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


class PrescriptionCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.consultation = Consultation.objects.create(
            patient=self.alice,
            doctor=self.dr_rao,
            date=dt.date(2030, 1, 6),
            purpose="Fever and cough",
            diagnosis="Acute bronchitis",
        )
        for position, (medicine, dose, frequency, duration, instructions) in enumerate(LINES):
            PrescriptionLine.objects.create(
                consultation=self.consultation,
                position=position,
                medicine=medicine,
                dose=dose,
                frequency=frequency,
                duration=duration,
                instructions=instructions,
            )


@time_machine.travel(FIXED_NOW, tick=False)
class PrescriptionPdfTests(PrescriptionCase):
    def test_it_prints_the_letterhead_patient_doctor_diagnosis_and_every_line(self):
        """The text holds the clinic, patient, doctor, date, diagnosis and each medicine."""
        text = pdf_text(prescription_pdf(consultation=self.consultation))
        clinic = settings.CLINIC
        for expected in (
            clinic["NAME"],
            clinic["ADDRESS"],
            clinic["PHONE"],
            clinic["EMAIL"],
            "Alice Adams, 39 years, Female",
            "Dr. Asha Rao, Cardiology",
            "06 Jan 2030",
            "Acute bronchitis",
            "Signature",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        flat = " ".join(text.split())
        for line in LINES:
            for value in line:
                with self.subTest(value=value):
                    self.assertIn(value, flat)
        # The doctor's name appears again by the signature line.
        self.assertGreaterEqual(text.count("Dr. Asha Rao"), 2)

    def test_it_keeps_medicine_order(self):
        """Lines print in their prescribed order."""
        text = pdf_text(prescription_pdf(consultation=self.consultation))
        self.assertLess(text.index("Amoxicillin"), text.index("Paracetamol"))

    def test_it_survives_text_the_core_font_cannot_draw(self):
        """Non-Latin-1 text is folded or replaced, never a crash."""
        self.consultation.diagnosis = "Fièvre – “viral” ≥ 38 °C, 発熱 ✓"
        self.consultation.save()
        with self.settings(CLINIC={**settings.CLINIC, "NAME": "Śrī Clinic ₹"}):
            text = pdf_text(prescription_pdf(consultation=self.consultation))
        self.assertIn('Fièvre - "viral" >= 38 °C', text)
        self.assertIn("Sri Clinic Rs.", text)

    def test_latin1_never_returns_unencodable_text(self):
        """Every character latin1() returns encodes as Latin-1."""
        sample = "Ωmega ﬁne ½ 𝔘 \u200b ok"
        latin1(sample).encode("latin-1")
        self.assertEqual(latin1("ﬁne"), "fine")

    def test_it_handles_a_consultation_without_medicines(self):
        """With no lines (none standing: all entered in error) the PDF says so instead
        of printing an empty table."""
        self.consultation.lines.update(entered_in_error_at=FIXED_NOW, error_reason="Wrong drug")
        text = pdf_text(prescription_pdf(consultation=self.consultation))
        self.assertIn("No medicines prescribed.", text)

    def test_lines_entered_in_error_are_left_out_and_the_icd10_code_shown(self):
        first = self.consultation.lines.order_by("position").first()
        PrescriptionLine.objects.filter(pk=first.pk).update(
            entered_in_error_at=FIXED_NOW, error_reason="Wrong drug"
        )
        Consultation.objects.filter(pk=self.consultation.pk).update(icd10="J06.9")
        self.consultation.refresh_from_db()
        text = pdf_text(prescription_pdf(consultation=self.consultation))
        self.assertNotIn("Amoxicillin", text)
        self.assertIn("Paracetamol", text)
        self.assertIn("J06.9", text)

    def test_many_lines_flow_onto_more_pages(self):
        """Long prescriptions break across pages and keep every line."""
        for n in range(60):
            PrescriptionLine.objects.create(
                consultation=self.consultation,
                position=10 + n,
                medicine=f"Medicine{n:02d}",
                dose="1 tab",
                frequency="daily",
                duration="7 days",
            )
        data = prescription_pdf(consultation=self.consultation)
        self.assertGreater(len(PdfReader(io.BytesIO(data)).pages), 1)
        text = pdf_text(data)
        for n in range(60):
            self.assertIn(f"Medicine{n:02d}", text)


@time_machine.travel(FIXED_NOW, tick=False)
class PrescriptionDownloadTests(PrescriptionCase):
    def test_the_owner_gets_the_pdf(self):
        """The owner's link renders the PDF, privately and with a file name."""
        self.client.force_login(self.alice.user)
        response = self.client.get(
            prescription_url(consultation=self.consultation, user=self.alice.user)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(
            response["Content-Disposition"], 'inline; filename="prescription-2030-01-06.pdf"'
        )
        self.assertIn("Amoxicillin", pdf_text(response.content))

    def test_staff_get_the_pdf(self):
        """Staff may issue and open a link to any patient's prescription."""
        self.client.force_login(self.staff)
        url = prescription_url(consultation=self.consultation, user=self.staff)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_another_patient_gets_no_link_and_cannot_use_the_owners(self):
        """Bob cannot get a link to Alice's prescription, nor open hers in his session."""
        with self.assertRaises(Forbidden):
            prescription_url(consultation=self.consultation, user=self.bob.user)
        url = prescription_url(consultation=self.consultation, user=self.alice.user)
        self.client.force_login(self.bob.user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"%PDF", response.content)

    def test_an_expired_link_is_refused(self):
        """After FILE_URL_TTL_SECONDS the link answers 403."""
        url = prescription_url(consultation=self.consultation, user=self.alice.user)
        self.client.force_login(self.alice.user)
        later = FIXED_NOW + dt.timedelta(seconds=settings.FILE_URL_TTL_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            self.assertEqual(self.client.get(url).status_code, 403)

    def test_a_tampered_link_is_not_found(self):
        """A token with a changed character, or for a file download, is a 404."""
        url = prescription_url(consultation=self.consultation, user=self.alice.user)
        token = url.rstrip("/").rsplit("/", 1)[1]
        flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
        self.assertEqual(self.client.get(url.replace(token, flipped)).status_code, 404)

    def test_a_link_stops_working_when_the_owner_changes(self):
        """A link issued to Alice is refused once the consultation is not hers."""
        url = prescription_url(consultation=self.consultation, user=self.alice.user)
        Consultation.objects.filter(pk=self.consultation.pk).update(patient=self.bob)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_rendering_takes_a_constant_number_of_queries(self):
        """The view's queries do not grow with the number of medicine lines."""
        url = prescription_url(consultation=self.consultation, user=self.alice.user)
        with self.assertNumQueries(3):
            self.client.get(url)
        for n in range(10):
            PrescriptionLine.objects.create(
                consultation=self.consultation,
                medicine=f"M{n}",
                dose="1",
                frequency="1",
                duration="1",
            )
        with self.assertNumQueries(3):
            self.client.get(url)
