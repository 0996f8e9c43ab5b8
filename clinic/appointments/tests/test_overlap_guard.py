"""The database refuses overlapping active appointments of a doctor, whoever writes.

These write rows directly, past every check of the services: only the guard of
clinic/appointments/overlap.py (a trigger on SQLite, an exclusion constraint on
PostgreSQL) stands in the way. The concurrent race is tests/test_booking_race.py.
"""

import datetime as dt

from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connection, transaction

from clinic.appointments.models import Appointment, Status
from clinic.appointments.overlap import NAME
from clinic.testing import BaseTestCase, make_doctor

DAY = dt.date(2030, 1, 8)


class OverlapGuardTests(BaseTestCase):
    def visit(self, start, end, *, patient=None, doctor=None, status=Status.BOOKED):
        return Appointment.objects.create(
            patient=patient or self.alice,
            doctor=doctor or self.dr_rao,
            date=DAY,
            start=start,
            end=end,
            slot_number=1,
            status=status,
        )

    def assertRefused(self, **kwargs):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.visit(**kwargs)

    def test_an_overlapping_active_visit_of_the_doctor_is_refused(self):
        self.visit(dt.time(9, 0), dt.time(9, 30))
        for start, end in [((9, 15), (9, 45)), ((8, 45), (9, 15)), ((8, 0), (10, 0))]:
            with self.subTest(start=start, end=end):
                self.assertRefused(start=dt.time(*start), end=dt.time(*end), patient=self.bob)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_touching_visits_other_doctors_and_inactive_rows_are_fine(self):
        self.visit(dt.time(9, 0), dt.time(9, 30))
        self.visit(dt.time(9, 30), dt.time(10, 0), patient=self.bob)
        self.visit(dt.time(9, 15), dt.time(9, 45), patient=self.bob, doctor=make_doctor())
        for status in (Status.CANCELLED, Status.NO_SHOW, Status.COMPLETED, Status.ENTERED_IN_ERROR):
            self.visit(dt.time(9, 10), dt.time(9, 40), patient=self.bob, status=status)
        self.assertEqual(Appointment.objects.count(), 7)

    def test_an_update_into_an_overlap_is_refused(self):
        """Moving a row, or making a cancelled one active again, is checked as well."""
        self.visit(dt.time(9, 0), dt.time(9, 30))
        later = self.visit(dt.time(10, 0), dt.time(10, 30), patient=self.bob)
        cancelled = self.visit(
            dt.time(9, 0), dt.time(9, 30), patient=self.bob, status=Status.CANCELLED
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            Appointment.objects.filter(pk=later.pk).update(end=dt.time(11), start=dt.time(9, 20))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Appointment.objects.filter(pk=cancelled.pk).update(status=Status.BOOKED)
        # A row may change itself (its own interval is not an overlap).
        Appointment.objects.filter(pk=later.pk).update(status=Status.ARRIVED)

    def test_a_visit_ends_after_it_starts(self):
        self.assertRefused(start=dt.time(9, 0), end=dt.time(9, 0))

    def test_migrate_keeps_the_sqlite_triggers(self):
        """A later migration that rebuilds the table drops its triggers on SQLite; the
        post_migrate hook puts them back."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only: PostgreSQL's constraint survives table changes")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {NAME}_insert")
        # What `migrate` sends at its end, after any table rebuild.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{NAME}%"],
            )
            self.assertEqual(
                sorted(r[0] for r in cursor.fetchall()), [f"{NAME}_insert", f"{NAME}_update"]
            )
