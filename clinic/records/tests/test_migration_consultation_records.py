"""records 0003 carries existing consultations into the shape with the visit guard."""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from clinic.records.tests.cases import visit_for
from clinic.testing import make_doctor, make_patient

BEFORE = [("records", "0002_historicalconsultation_historicalprescriptionline")]
AFTER = [("records", "0003_consultation_records")]


class ConsultationRecordsMigrationTests(TransactionTestCase):
    """Build the old schema, fill it, migrate, check every row arrived."""

    def setUp(self):
        self.alice = make_patient(first_name="Alice")
        self.bob = make_patient(first_name="Bob")
        self.doctor = make_doctor(schedule=False)
        # Appointments are untouched by these migrations: made with today's model.
        self.alices_visit = visit_for(self.alice, self.doctor)
        self.bobs_visit = visit_for(self.bob, self.doctor, start=dt.time(10, 0))
        self.migrate(BEFORE)
        self.old = self.executor.loader.project_state(BEFORE).apps

    def tearDown(self):
        graph = MigrationExecutor(connection).loader.graph
        self.migrate([node for node in graph.leaf_nodes() if node[0] == "records"])

    def migrate(self, targets):
        self.executor = MigrationExecutor(connection)
        self.executor.migrate(targets)

    def test_every_consultation_and_line_arrives_and_foreign_links_are_dropped(self):
        """A consultation linked to another patient's visit keeps its own patient and
        loses the link, with a history row saying so; the others are as they were."""
        Consultation = self.old.get_model("records", "Consultation")
        Line = self.old.get_model("records", "PrescriptionLine")
        common = {"doctor_id": self.doctor.pk, "date": dt.date(2029, 1, 2), "purpose": "Cough"}
        matched = Consultation.objects.create(
            patient_id=self.alice.pk, appointment_id=self.alices_visit.pk, **common
        )
        foreign = Consultation.objects.create(
            patient_id=self.alice.pk, appointment_id=self.bobs_visit.pk, **common
        )
        legacy = Consultation.objects.create(patient_id=self.bob.pk, **common)
        for consultation in (matched, foreign, legacy):
            Line.objects.create(
                consultation=consultation,
                medicine="Paracetamol",
                dose="650 mg",
                frequency="twice a day",
                duration="3 days",
            )

        self.migrate(AFTER)
        new = self.executor.loader.project_state(AFTER).apps
        rows = new.get_model("records", "Consultation").objects
        self.assertEqual(
            {c.pk: (c.patient_id, c.appointment_id, c.entered_in_error_at) for c in rows.all()},
            {
                matched.pk: (self.alice.pk, self.alices_visit.pk, None),
                foreign.pk: (self.alice.pk, None, None),
                legacy.pk: (self.bob.pk, None, None),
            },
        )
        lines = new.get_model("records", "PrescriptionLine").objects
        self.assertEqual(lines.filter(entered_in_error_at=None).count(), 3)
        history = new.get_model("records", "HistoricalConsultation").objects
        self.assertEqual(
            list(
                history.filter(id=foreign.pk, history_type="~").values_list(
                    "appointment_id", "history_change_reason"
                )
            ),
            [(None, "appointment unlinked: another patient or doctor")],
        )
        # From now on the database holds the rule.
        with self.assertRaises(IntegrityError), transaction.atomic():
            rows.filter(pk=matched.pk).update(appointment_id=self.bobs_visit.pk)

    def test_it_migrates_back(self):
        """Unapplying removes the guard: the old schema takes what it took before."""
        self.migrate(AFTER)
        self.migrate(BEFORE)
        Consultation = self.old.get_model("records", "Consultation")
        Consultation.objects.create(
            patient_id=self.alice.pk,
            doctor_id=self.doctor.pk,
            appointment_id=self.bobs_visit.pk,
            date=dt.date(2029, 1, 2),
            purpose="Cough",
        )
        self.assertEqual(Consultation.objects.count(), 1)
