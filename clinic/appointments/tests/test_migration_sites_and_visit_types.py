"""The migrations to sites, visit types and ends carry every existing row across.

Builds the database at the schema before them (doctors 0001, appointments 0001),
fills it, migrates to the latest state, and checks each row.
"""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

# patients 0001 too: the historical Patient below must match the table's shape.
BEFORE = [
    ("patients", "0001_initial"),
    ("doctors", "0001_initial"),
    ("appointments", "0001_initial"),
]
DAY = dt.date(2029, 12, 4)


class SitesAndVisitTypesMigrationTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def setUp(self):
        old = self.migrate(BEFORE)
        User = old.get_model("accounts", "User")
        Patient = old.get_model("patients", "Patient")
        Doctor = old.get_model("doctors", "Doctor")
        Schedule = old.get_model("doctors", "WeeklySchedule")
        Appointment = old.get_model("appointments", "Appointment")
        patients = [
            Patient.objects.create(
                user=User.objects.create(username=f"p{i}", email=f"p{i}@example.com"),
                gender="Female",
                dob=dt.date(1990, 1, 1),
                address="1 Road",
                phone=f"98765{i:05d}",
            )
            for i in range(4)
        ]
        self.doctor = Doctor.objects.create(name="Dr. Twenty", gender="Male", specialty="GP")
        for weekday in range(7):
            Schedule.objects.create(
                doctor=self.doctor,
                weekday=weekday,
                start=dt.time(9),
                end=dt.time(12),
                slot_minutes=20,
            )
        # 20-minute slots: 30-minute visits at 09:00 and 09:20 would overlap.
        rows = [
            (patients[0], dt.time(9, 0), "booked"),
            (patients[1], dt.time(9, 20), "booked"),
            (patients[2], dt.time(9, 40), "completed"),
            (patients[3], dt.time(9, 0), "cancelled"),
            (patients[3], dt.time(11, 40), "no_show"),
        ]
        self.old_ids = [
            Appointment.objects.create(
                patient=p, doctor=self.doctor, date=DAY, start=at, status=status, slot_number=1
            ).pk
            for p, at, status in rows
        ]

    def tearDown(self):
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def test_every_row_arrives_with_a_site_a_visit_type_and_an_end(self):
        new = self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        Location = new.get_model("doctors", "Location")
        Schedule = new.get_model("doctors", "WeeklySchedule")
        VisitType = new.get_model("appointments", "VisitType")
        Appointment = new.get_model("appointments", "Appointment")

        site = Location.objects.get()
        self.assertEqual(Schedule.objects.filter(location=site).count(), 7)
        default = VisitType.objects.get(is_default=True)
        self.assertEqual((default.name, default.minutes), ("Consultation", 30))

        got = {
            a.pk: (a.start, a.end, a.status, a.visit_type_id)
            for a in Appointment.objects.filter(pk__in=self.old_ids)
        }
        self.assertEqual(len(got), 5)
        first, second, completed, cancelled, no_show = (got[pk] for pk in self.old_ids)
        # The 09:00 visit would run into the 09:20 one: it ends where that starts.
        self.assertEqual(first, (dt.time(9), dt.time(9, 20), "booked", default.pk))
        self.assertEqual(second, (dt.time(9, 20), dt.time(9, 50), "booked", default.pk))
        # Inactive rows hold no time and keep the full length.
        self.assertEqual(completed[:2], (dt.time(9, 40), dt.time(10, 10)))
        self.assertEqual(cancelled[:2], (dt.time(9), dt.time(9, 30)))
        self.assertEqual(no_show[:2], (dt.time(11, 40), dt.time(12, 10)))
