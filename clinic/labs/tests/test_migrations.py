"""The records and labs migrations carry existing rows into the new shape."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from clinic.testing import make_doctor, make_patient

BEFORE = [("labs", "0001_initial"), ("records", "0001_initial")]


class RecordsAndLabsMigrationTests(TransactionTestCase):
    """Build the old schema, fill it, migrate to today's, check every row arrived."""

    def setUp(self):
        self.patient = make_patient()
        self.doctor = make_doctor(schedule=False)
        self.migrate(BEFORE)
        self.old = self.executor.loader.project_state(BEFORE).apps

    def tearDown(self):
        self.migrate(self.leaves())

    def migrate(self, targets):
        self.executor = MigrationExecutor(connection)
        self.executor.migrate(targets)

    def leaves(self):
        graph = MigrationExecutor(connection).loader.graph
        return [node for node in graph.leaf_nodes() if node[0] in ("labs", "records")]

    def test_existing_rows_get_a_first_history_row(self):
        """Each consultation, line and report starts its history with a 'created' row."""
        Consultation = self.old.get_model("records", "Consultation")
        PrescriptionLine = self.old.get_model("records", "PrescriptionLine")
        LabReport = self.old.get_model("labs", "LabReport")
        visit = Consultation.objects.create(
            patient_id=self.patient.pk,
            doctor_id=self.doctor.pk,
            date=dt.date(2029, 1, 2),
            purpose="Cough",
            diagnosis="Bronchitis",
        )
        PrescriptionLine.objects.create(
            consultation=visit,
            medicine="Azithromycin",
            dose="500 mg",
            frequency="once a day",
            duration="3 days",
        )
        report = LabReport.objects.create(
            patient_id=self.patient.pk,
            doctor_id=self.doctor.pk,
            test="CBC",
            date=dt.date(2029, 1, 3),
        )

        self.migrate(self.leaves())
        new = self.executor.loader.project_state(self.leaves()).apps

        history = new.get_model("records", "HistoricalConsultation").objects.get()
        self.assertEqual(
            (history.id, history.history_type, history.diagnosis, history.patient_id),
            (visit.pk, "+", "Bronchitis", self.patient.pk),
        )
        line = new.get_model("records", "HistoricalPrescriptionLine").objects.get()
        self.assertEqual((line.consultation_id, line.medicine), (visit.pk, "Azithromycin"))
        lab = new.get_model("labs", "HistoricalLabReport").objects.filter(id=report.pk)
        self.assertEqual(
            list(lab.order_by("history_id").values_list("history_type", "status")),
            [("+", "ordered"), ("~", "ordered")],
        )

    def test_reports_with_files_become_released(self):
        """A report with a file reached its patient before: it is released, dated, not
        attributed to any doctor; one without a file is ordered, whatever it said."""
        LabReport = self.old.get_model("labs", "LabReport")
        rows = {
            "with file": ("generated", "reports/a.pdf"),
            "ordered with file": ("ordered", "reports/b.pdf"),
            "generated without file": ("generated", ""),
            "ordered": ("ordered", ""),
        }
        for test, (status, file) in rows.items():
            LabReport.objects.create(
                patient_id=self.patient.pk,
                doctor_id=self.doctor.pk,
                test=test,
                date=dt.date(2029, 1, 3),
                status=status,
                file=file,
            )

        self.migrate(self.leaves())
        new = self.executor.loader.project_state(self.leaves()).apps
        reports = new.get_model("labs", "LabReport").objects
        self.assertEqual(reports.count(), 4)
        self.assertEqual(
            {r.test: (r.status, r.released_at is not None) for r in reports.all()},
            {
                "with file": ("released", True),
                "ordered with file": ("released", True),
                "generated without file": ("ordered", False),
                "ordered": ("ordered", False),
            },
        )
        self.assertFalse(reports.filter(released_by__isnull=False).exists())
