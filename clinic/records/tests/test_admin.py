import datetime as dt
import itertools

from clinic.appointments.models import Status
from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase, inline_management
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.tests.cases import visit_for
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


def _line_values(line) -> dict:
    fields = ["position", "medicine", "dose", "frequency", "duration", "instructions"]
    return {name: getattr(line, name) for name in fields}


class ConsultationAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.visit = consultation_for(self.alice, self.dr_rao)

    def test_it_shows_the_pages(self):
        """Changelists, the change page (with the prescription inline) and the add page
        load; lines are added on their consultation's page, not on their own."""
        for url in [CONSULTATIONS, LINES]:
            with self.subTest(url=url):
                self.changelist(url)
        self.assertEqual(self.client.get(f"{CONSULTATIONS}add/").status_code, 200)
        self.assertEqual(self.client.get(f"{LINES}add/").status_code, 403)
        page = self.client.get(f"{CONSULTATIONS}{self.visit.pk}/change/")
        self.assertContains(page, 'id="lines-group"')
        self.assertContains(page, 'value="Azithromycin"')
        line = self.visit.lines.get()
        self.assertEqual(self.client.get(f"{LINES}{line.pk}/change/").status_code, 200)

    def add_data(self, visit, **extra) -> dict:
        data = {
            "appointment": visit.pk,
            "purpose": "Fever",
            "diagnosis": "Viral fever",
            "icd10": "b34.9",
            "notes": "",
            **inline_management("lines", total=2),
            **extra,
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
        return data

    def test_it_adds_a_consultation_from_a_visit_with_its_prescription(self):
        """Adding starts the consultation from the appointment (its patient, doctor and
        day) through the services, which audit the visit and each line."""
        appointment = visit_for(self.bob, self.dr_rao, status=Status.COMPLETED)
        response = self.client.post(f"{CONSULTATIONS}add/", self.add_data(appointment))
        self.assertEqual(response.status_code, 302)
        visit = Consultation.objects.get(patient=self.bob)
        self.assertEqual(
            (visit.doctor, visit.appointment, visit.date, visit.icd10),
            (self.dr_rao, appointment, appointment.date, "B34.9"),
        )
        self.assertEqual(
            list(visit.lines.values_list("medicine", flat=True)), ["Paracetamol", "Cetirizine"]
        )
        actions = set(
            AuditEvent.objects.filter(
                object_id=str(visit.pk), object_type="records.consultation"
            ).values_list("action", "actor")
        )
        self.assertEqual(
            actions,
            {("consultation.started", self.staff.pk), ("consultation.updated", self.staff.pk)},
        )
        self.assertEqual(
            AuditEvent.objects.filter(
                action="prescription_line.added", actor=self.staff, data__consultation_id=visit.pk
            ).count(),
            2,
        )

    def test_a_refused_add_shows_why_and_writes_nothing(self):
        """No appointment, a visit not yet arrived, or a bad ICD-10 code: the form says so."""
        booked = visit_for(self.bob, self.dr_rao, status=Status.BOOKED)
        cases = [
            ({"appointment": ""}, "This field is required."),
            ({"appointment": booked.pk}, "the patient has not arrived yet"),
            ({"appointment": booked.pk, "icd10": "fever"}, "Enter an ICD-10 code"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                response = self.client.post(f"{CONSULTATIONS}add/", self.add_data(booked, **extra))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Consultation.objects.filter(patient=self.bob).exists())
        booked.refresh_from_db()
        self.assertEqual(booked.status, Status.BOOKED)

    def test_it_marks_a_consultation_entered_in_error_and_keeps_it_read_only(self):
        url = f"{CONSULTATIONS}{self.visit.pk}/change/"
        page = self.client.get(url)
        data = {
            "purpose": "Cough",
            "diagnosis": "Bronchitis",
            "icd10": "",
            "notes": "",
            "entered_in_error": "on",
            "reason": "",
            **inline_management("lines", total=1, initial=1),
            "lines-0-id": self.visit.lines.get().pk,
            "lines-0-consultation": self.visit.pk,
            **{f"lines-0-{k}": v for k, v in _line_values(self.visit.lines.get()).items()},
        }
        self.assertContains(page, "Mark entered in error")
        refused = self.client.post(url, data)
        self.assertContains(refused, "Say why the record is in error.")
        data["reason"] = "Wrong patient"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.visit.refresh_from_db()
        self.assertEqual(
            (self.visit.error_reason, self.visit.entered_in_error_by), ("Wrong patient", self.staff)
        )
        page = self.client.get(url)
        self.assertNotContains(page, 'name="diagnosis"')
        self.assertNotContains(page, "Mark entered in error")
        self.assertContains(page, "Wrong patient")
        filtered = self.listed(CONSULTATIONS, entered_in_error_at__isempty="0")
        self.assertEqual(filtered, [self.visit])

    def test_it_marks_a_line_entered_in_error_on_its_page(self):
        line = self.visit.lines.get()
        url = f"{LINES}{line.pk}/change/"
        data = {**_line_values(line), "entered_in_error": "on", "reason": "Allergic"}
        mixed = self.client.post(url, {**data, "dose": "1 g"})
        self.assertContains(mixed, "without other changes")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        line.refresh_from_db()
        self.assertEqual((line.error_reason, line.dose), ("Allergic", "500 mg"))
        # The consultation's inline no longer offers it for editing.
        page = self.client.get(f"{CONSULTATIONS}{self.visit.pk}/change/")
        self.assertNotContains(page, 'value="Azithromycin"')

    def test_a_line_is_edited_through_the_service(self):
        line = self.visit.lines.get()
        response = self.client.post(
            f"{LINES}{line.pk}/change/", {**_line_values(line), "dose": "250 mg"}
        )
        self.assertEqual(response.status_code, 302)
        line.refresh_from_db()
        self.assertEqual(line.dose, "250 mg")
        event = AuditEvent.objects.get(action="prescription_line.updated")
        self.assertEqual((event.actor, event.data), (self.staff, {"fields": ["dose"]}))

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
        # session + user + device, 2 counts, rows, session save (3), plus the filter choices
        # (doctor, specialty; doctor) and the date hierarchy (2) of consultations.
        self.assertEqual(counts, {CONSULTATIONS: 13, LINES: 10})
