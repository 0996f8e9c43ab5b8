"""The database refuses a consultation whose appointment is of another patient or doctor.

These write rows directly, past every check of the services: only the guard of
clinic/records/integrity.py (triggers on SQLite, a composite foreign key on
PostgreSQL) stands in the way. Run them on both databases.
"""

import datetime as dt

from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connection, transaction

from clinic.appointments.models import Appointment
from clinic.records.integrity import NAME
from clinic.records.models import Consultation
from clinic.records.tests.cases import visit_for
from clinic.testing import BaseTestCase, make_doctor


class ConsultationIntegrityTests(BaseTestCase):
    def setUp(self):
        self.visit = visit_for(self.alice, self.dr_rao)
        self.other_doctor = make_doctor(schedule=False)

    def consultation(self, **kwargs):
        values = {
            "patient": self.alice,
            "doctor": self.dr_rao,
            "appointment": self.visit,
            "date": self.visit.date,
            "purpose": "Cough",
            **kwargs,
        }
        return Consultation.objects.create(**values)

    def assertRefused(self, write):
        with self.assertRaises(IntegrityError), transaction.atomic():
            write()

    def test_the_visits_own_patient_and_doctor_are_accepted(self):
        self.consultation()
        self.assertEqual(Consultation.objects.get().appointment, self.visit)

    def test_a_row_without_an_appointment_is_accepted(self):
        """Consultations from before they were started from a visit have none."""
        self.consultation(appointment=None, patient=self.bob)
        self.assertEqual(Consultation.objects.count(), 1)

    def test_another_patient_or_doctor_is_refused(self):
        self.assertRefused(lambda: self.consultation(patient=self.bob))
        self.assertRefused(lambda: self.consultation(doctor=self.other_doctor))
        self.assertFalse(Consultation.objects.exists())

    def test_an_update_into_a_mismatch_is_refused(self):
        consultation = self.consultation()
        other_visit = visit_for(self.bob, self.dr_rao, start=dt.time(10, 0))
        rows = Consultation.objects.filter(pk=consultation.pk)
        self.assertRefused(lambda: rows.update(patient=self.bob))
        self.assertRefused(lambda: rows.update(doctor=self.other_doctor))
        self.assertRefused(lambda: rows.update(appointment=other_visit))
        # Linking a legacy row to a visit of its own patient and doctor is fine.
        legacy = self.consultation(appointment=None, patient=self.bob)
        Consultation.objects.filter(pk=legacy.pk).update(appointment=other_visit)

    def test_the_appointment_cannot_move_to_another_patient_or_doctor_under_it(self):
        self.consultation()
        rows = Appointment.objects.filter(pk=self.visit.pk)
        self.assertRefused(lambda: rows.update(patient=self.bob))
        self.assertRefused(lambda: rows.update(doctor=self.other_doctor))
        # Other changes of the visit are fine.
        rows.update(reason="Fever")
        # An appointment without a consultation may still change hands.
        spare = visit_for(self.bob, self.dr_rao, start=dt.time(11, 0))
        Appointment.objects.filter(pk=spare.pk).update(patient=self.alice)

    def test_migrate_keeps_the_sqlite_triggers(self):
        """A migration that rebuilds either table drops its triggers on SQLite; the
        post_migrate hook puts them back."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only: PostgreSQL's foreign key survives table changes")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {NAME}_insert")
            cursor.execute(f"DROP TRIGGER {NAME}_appointment")
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{NAME}%"],
            )
            self.assertEqual(
                sorted(r[0] for r in cursor.fetchall()),
                [f"{NAME}_appointment", f"{NAME}_insert", f"{NAME}_update"],
            )
        self.assertRefused(lambda: self.consultation(patient=self.bob))
