"""The record migrations carry every old row: built on the old schema, then migrated."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from clinic.patients.models import Patient

BEFORE = [("patients", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


class PatientRecordMigrationTests(TransactionTestCase):
    def setUp(self):
        super().setUp()
        executor = _migrate(BEFORE)
        self.addCleanup(_migrate, None)  # leave the schema as every other test expects it
        old = executor.loader.project_state(BEFORE).apps
        self.User = old.get_model("accounts", "User")
        self.OldPatient = old.get_model("patients", "Patient")

    def old_patient(self, username, first, last, phone, **extra):
        user = self.User.objects.create(
            username=username,
            email=f"{username.upper()}@Example.com",
            first_name=first,
            last_name=last,
            password="!",
        )
        return self.OldPatient.objects.create(
            user=user,
            gender="Female",
            dob=dt.date(1980, 1, 2),
            address="1 Old Road",
            phone=phone,
            **extra,
        )

    def test_every_row_arrives_in_the_new_shape(self):
        rows = [
            self.old_patient("asha", "Asha", "Verma", "9876543210", phone_verified=True),
            self.old_patient("ravi", "Ravi", "", "９８７６５４３２１１"),  # full-width digits
            self.old_patient("nameless", "", "", "0000000000"),  # not a valid number
            # Two verified holders of one number: the older keeps the mark.
            self.old_patient("first", "First", "Holder", "9123456780", phone_verified=True),
            self.old_patient("second", "Second", "Holder", "9123456780", phone_verified=True),
        ]
        ids = [row.pk for row in rows]

        _migrate(None)

        patients = {p.user.username: p for p in Patient.objects.select_related("user")}
        self.assertEqual(sorted(p.pk for p in patients.values()), sorted(ids))
        asha = patients["asha"]
        self.assertEqual(
            (asha.given_name, asha.family_name, asha.name), ("Asha", "Verma", "Asha Verma")
        )
        self.assertEqual(asha.email, "asha@example.com")
        self.assertEqual(str(asha.phone), "+919876543210")
        self.assertEqual(asha.phone_national, "9876543210")
        self.assertIs(asha.phone_verified, True)
        self.assertEqual(asha.record_number, f"CMS-{asha.pk:06d}")
        self.assertEqual(str(patients["ravi"].phone), "+919876543211")
        self.assertEqual(patients["nameless"].name, "nameless")
        self.assertEqual(patients["nameless"].phone_national, "0000000000")
        self.assertEqual(
            (patients["first"].phone_verified, patients["second"].phone_verified), (True, False)
        )
        numbers = [p.record_number for p in patients.values()]
        self.assertEqual(len(set(numbers)), len(ids))
        for patient in patients.values():
            with self.subTest(patient=patient.user.username):
                self.assertIs(str(patient.phone).isascii(), True)
                self.assertEqual(patient.user.first_name, patient.given_name)
        # The history starts with today's data: one row per migrated patient.
        for patient in patients.values():
            first = patient.history.get()
            self.assertEqual(
                (first.history_type, first.record_number), ("+", patient.record_number)
            )
        # New rows continue the numbering without a clash.
        new = Patient.objects.create(given_name="New", gender="Male", dob=dt.date(2000, 1, 1))
        self.assertNotIn(new.record_number, numbers)
