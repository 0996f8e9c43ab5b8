import datetime as dt
import itertools

from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase, inline_management
from clinic.records.models import Consultation, PrescriptionLine
from clinic.testing import make_doctor, make_patient

CONSULTATIONS = "/admin/records/consultation/"
LINES = "/admin/records/prescriptionline/"


def consultation_for(patient, doctor, *, day=dt.date(2029, 12, 1), lines=1) -> Consultation:
    consultation = Consultation.objects.create(
        patient=patient, doctor=doctor, date=day, purpose="Cough", diagnosis="Bronchitis"
    )
    for i in range(lines):
        PrescriptionLine.objects.create(
            consultation=consultation,
            position=i,
            medicine="Azithromycin",
            dose="500 mg",
            frequency="once a day",
            duration="3 days",
        )
    return consultation


class ConsultationAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.visit = consultation_for(self.alice, self.dr_rao)

    def test_it_shows_the_pages(self):
        """Changelist, change (with the prescription inline) and add pages load."""
        for url in [CONSULTATIONS, LINES]:
            with self.subTest(url=url):
                self.changelist(url)
                self.assertEqual(self.client.get(f"{url}add/").status_code, 200)
        page = self.client.get(f"{CONSULTATIONS}{self.visit.pk}/change/")
        self.assertContains(page, 'id="lines-group"')
        self.assertContains(page, 'value="Azithromycin"')
        line = self.visit.lines.get()
        self.assertEqual(self.client.get(f"{LINES}{line.pk}/change/").status_code, 200)

    def test_it_adds_a_consultation_with_its_prescription(self):
        """The add form saves the lines inline and audits both the visit and the lines."""
        data = {
            "patient": self.bob.pk,
            "doctor": self.dr_rao.pk,
            "date": "2029-12-20",
            "purpose": "Fever",
            "diagnosis": "Viral fever",
            "notes": "",
            **inline_management("lines", total=2),
        }
        for i, (medicine, dose) in enumerate([("Paracetamol", "650 mg"), ("Cetirizine", "10 mg")]):
            data.update(
                {
                    f"lines-{i}-position": str(i),
                    f"lines-{i}-medicine": medicine,
                    f"lines-{i}-dose": dose,
                    f"lines-{i}-frequency": "twice a day",
                    f"lines-{i}-duration": "3 days",
                }
            )
        response = self.client.post(f"{CONSULTATIONS}add/", data)
        self.assertEqual(response.status_code, 302)
        visit = Consultation.objects.get(patient=self.bob)
        self.assertEqual(
            list(visit.lines.values_list("medicine", flat=True)), ["Paracetamol", "Cetirizine"]
        )
        actions = set(
            AuditEvent.objects.filter(object_id=str(visit.pk)).values_list("action", "actor")
        )
        self.assertEqual(
            actions,
            {
                ("consultation.admin_created", self.staff.pk),
                ("consultation.admin_prescription_changed", self.staff.pk),
            },
        )

    def test_it_searches_and_filters(self):
        """Search by patient fields, purpose or medicine; filter by doctor and date."""
        other = consultation_for(self.bob, make_doctor(name="Dr. Lin"), day=dt.date(2029, 11, 2))
        for term in ["Alice", "adams", self.alice.phone_national, "alice@example.com"]:
            with self.subTest(term=term):
                self.assertEqual(self.listed(CONSULTATIONS, q=term), [self.visit])
        self.assertEqual(self.listed(CONSULTATIONS, doctor__id__exact=other.doctor_id), [other])
        self.assertEqual(self.listed(CONSULTATIONS, date__year=2029, date__month=11), [other])
        self.assertEqual(len(self.listed(LINES, q="azithro")), 2)
        self.assertEqual(self.listed(LINES, q="brown"), list(other.lines.all()))

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """Patient, user and doctor are joined on both lists."""
        names = itertools.count()

        def make_visits(k):
            for _ in range(k):
                consultation_for(
                    make_patient(first_name=f"P{next(names)}"), make_doctor(schedule=False)
                )

        def make_lines(k):
            consultation_for(make_patient(), make_doctor(schedule=False), lines=k)

        counts = {
            CONSULTATIONS: self.assertChangelistQueriesConstant(CONSULTATIONS, make_visits),
            LINES: self.assertChangelistQueriesConstant(LINES, make_lines),
        }
        # session + user, 2 counts, rows, session save (3), plus the filter choices
        # (doctor, specialty; doctor) and the date hierarchy (2) of consultations.
        self.assertEqual(counts, {CONSULTATIONS: 12, LINES: 9})
