import datetime as dt
import io

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, TestCase
from PIL import Image
from pypdf import PdfReader

from clinic.appointments.models import (
    Appointment,
    AppointmentStatusChange,
    CancelledBy,
    Status,
    VisitType,
)
from clinic.core.management.commands._demo_staff import DEMO_DOCTOR, DEMO_TOTP_SECRET, STAFF
from clinic.core.management.commands.seed_demo import (
    ADMIN_PASSWORD,
    AFTERNOON_DOCTOR,
    DAY_CLINIC_DOCTOR,
    DEMO_PASSWORD,
)
from clinic.doctors.models import Doctor, Location, TimeOff, WeeklySchedule
from clinic.doctors.selectors import slot_number
from clinic.labs.models import LabReport, LabStatus
from clinic.patients.models import Patient
from clinic.patients.selectors import patients_managed_by
from clinic.records.models import Consultation, PrescriptionLine
from clinic.staff.selectors import staff_roles_of
from clinic.testing import FIXED_NOW, make_user

User = get_user_model()
TABLES = (User, Doctor, WeeklySchedule, TimeOff, Patient, Appointment, Consultation,
          PrescriptionLine, LabReport)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_code() -> str:
    """The demo authenticator's code now (each device accepts it once: a fresh login each)."""
    out = io.StringIO()
    call_command("demo_code", stdout=out)
    return out.getvalue().split()[0]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@time_machine.travel(FIXED_NOW, tick=False)
class SeedDemoTests(TestCase):
    def test_it_fills_an_empty_database(self):
        """Doctors with schedules, the demo patient's visits, records and reports, the admin."""
        output = seed()
        self.assertIn("Demo clinic created", output)
        doctors = Doctor.objects.all()
        self.assertTrue(6 <= doctors.count() <= 8)
        self.assertGreaterEqual(len({d.specialty for d in doctors}), 4)
        for doctor in doctors.exclude(name__in=[AFTERNOON_DOCTOR, DAY_CLINIC_DOCTOR]):
            self.assertEqual(doctor.schedules.count(), 6, doctor)
            self.assertFalse(doctor.time_off.exists())
        afternoon = Doctor.objects.get(name=AFTERNOON_DOCTOR)
        self.assertEqual({s.start for s in afternoon.schedules.all()}, {dt.time(14, 0)})
        leave = afternoon.time_off.get()
        self.assertEqual((leave.end_date - leave.start_date).days, 6)
        self.assertGreater(leave.start_date, FIXED_NOW.date())

        admin = User.objects.get(username="admin")
        self.assertIs(admin.is_superuser and admin.is_staff, True)
        self.assertEqual(Patient.objects.count(), 6)
        demo = Patient.objects.get(user__username="demo")
        # A family: the demo login manages its own record and a child without a login.
        family = patients_managed_by(user=demo.user)
        self.assertEqual(len(family), 2)
        child = family.exclude(pk=demo.pk).get()
        self.assertIsNone(child.user)
        self.assertTrue(child.allergies)
        self.assertTrue(Appointment.objects.upcoming().filter(patient=child).exists())
        # A walk-in: no login, no email, nobody's dependant.
        walk_in = Patient.objects.get(user__isnull=True, guardians__isnull=True)
        self.assertEqual(walk_in.contact_email, "")
        self.assertRegex(walk_in.record_number, r"^CMS-\d{6}$")

        upcoming = Appointment.objects.upcoming().filter(patient=demo)
        self.assertGreaterEqual(upcoming.count(), 2)
        history = Appointment.objects.past_or_cancelled().filter(patient=demo)
        self.assertGreaterEqual(history.filter(status=Status.COMPLETED).count(), 2)
        cancelled = history.get(status=Status.CANCELLED)
        self.assertEqual(cancelled.cancelled_by, CancelledBy.PATIENT)
        self.assertLess(cancelled.date, FIXED_NOW.date())

        consultations = Consultation.objects.filter(patient=demo)
        self.assertEqual(
            set(consultations.values_list("appointment__status", flat=True)), {Status.COMPLETED}
        )
        for consultation in consultations:
            lines = list(consultation.lines.all())
            self.assertGreaterEqual(len(lines), 1)
            self.assertTrue(all(line.dose and line.frequency and line.duration for line in lines))
        # Each is of its own visit, with an ICD-10 code; one line is entered in error.
        for consultation in Consultation.objects.select_related("appointment"):
            self.assertEqual(
                (consultation.appointment.patient_id, consultation.appointment.doctor_id),
                (consultation.patient_id, consultation.doctor_id),
            )
            self.assertRegex(consultation.icd10, r"^[A-Z][0-9]{2}(\.[0-9A-Z]+)?$")
        struck = PrescriptionLine.objects.exclude(entered_in_error_at=None).get()
        self.assertEqual(struck.consultation.patient, demo)
        self.assertTrue(struck.error_reason)

    def test_it_shows_two_sites_visit_types_and_a_visit_today_in_every_state(self):
        """Each state once today, with its steps recorded; sessions at both sites."""
        seed()
        self.assertEqual(Location.objects.count(), 2)
        for site in Location.objects.all():
            self.assertTrue(site.sessions.exists(), site)
        self.assertGreaterEqual(VisitType.objects.count(), 3)
        self.assertEqual(VisitType.objects.filter(is_default=True).count(), 1)
        today = Appointment.objects.filter(date=FIXED_NOW.date())
        self.assertEqual(sorted(today.values_list("status", flat=True)), sorted(Status.values))
        arrived = today.get(status=Status.ARRIVED)
        self.assertIsNotNone(arrived.arrived_at)
        completed = today.get(status=Status.COMPLETED)
        steps = AppointmentStatusChange.objects.filter(appointment=completed)
        self.assertEqual(
            list(steps.values_list("to_status", flat=True)),
            [Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED],
        )
        for a in today:
            self.assertEqual(a.end, (dt.datetime.combine(a.date, a.start) + dt.timedelta(
                minutes=a.visit_type.minutes)).time())

    def test_appointments_sit_on_real_slots(self):
        """Every appointment is on one of its doctor's slots, with that slot's number."""
        seed()
        appointments = list(Appointment.objects.select_related("doctor"))
        self.assertGreaterEqual(len(appointments), 10)
        for a in appointments:
            with self.subTest(appointment=a.pk):
                number = slot_number(doctor=a.doctor, day=a.date, at=a.start)
                self.assertEqual(number, a.slot_number)
        booked = [(a.doctor_id, a.date, a.start) for a in appointments if a.status == "booked"]
        self.assertEqual(len(booked), len(set(booked)))
        self.assertTrue(all(a.starts_at > FIXED_NOW for a in appointments if a.status == "booked"))

    def test_lab_reports_have_real_files(self):
        """Released reports carry a readable PNG or PDF; ordered ones carry none."""
        seed()
        released = LabReport.objects.filter(status=LabStatus.RELEASED)
        self.assertGreaterEqual(released.count(), 2)
        kinds = set()
        for report in released:
            self.assertIs(report.is_released, True)
            self.assertIsNotNone(report.released_by)
            with report.file.open("rb") as handle:
                data = handle.read()
            if report.file.name.endswith(".png"):
                Image.open(io.BytesIO(data)).verify()
                kinds.add("png")
            else:
                self.assertIn("Laboratory", PdfReader(io.BytesIO(data)).pages[0].extract_text())
                kinds.add("pdf")
        self.assertEqual(kinds, {"png", "pdf"})
        ordered = LabReport.objects.filter(status=LabStatus.ORDERED)
        self.assertGreaterEqual(ordered.count(), 1)
        self.assertFalse(any(r.file for r in ordered))

    def test_lab_reports_are_in_every_state(self):
        """The demo shows each step of the lab workflow, and the demo patient has each."""
        seed()
        demo = Patient.objects.get(user__username="demo")
        self.assertEqual(
            set(LabReport.objects.filter(patient=demo).values_list("status", flat=True)),
            set(LabStatus.values),
        )

    def test_a_second_run_changes_nothing(self):
        """Re-running finds the demo, adds no row and says so, still printing the logins."""
        seed()
        before = row_counts()
        output = seed()
        self.assertEqual(row_counts(), before)
        self.assertIn("already in this database; nothing changed", output)
        self.assertIn(f"admin / {ADMIN_PASSWORD}", output)
        self.assertIn(f"demo / {DEMO_PASSWORD}", output)

    def test_the_printed_logins_work(self):
        """The admin reaches the admin panel with the demo code, each staff role signs in to
        the workspace and lands on its page, and the demo patient logs in."""
        output = seed()
        self.assertIn(f"admin / {ADMIN_PASSWORD}", output)
        self.assertIn(DEMO_TOTP_SECRET, output)
        response = self.client.post("/admin/login/", {
            "username": "admin", "password": ADMIN_PASSWORD, "otp_token": demo_code(),
            "next": "/admin/",
        })
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        for username, password, _, _, role in STAFF:
            with self.subTest(role=role):
                self.assertIn(f"{username} / {password}", output)
                client = Client()
                client.post("/clinic/login/", {"login": username, "password": password})
                response = client.post("/clinic/login/code/", {"code": demo_code()})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(client.get("/clinic/?stay=1").status_code, 200)
                self.assertEqual(staff_roles_of(User.objects.get(username=username)), [role])
        self.assertEqual(Doctor.objects.get(name=DEMO_DOCTOR).user.username, "doctor")
        self.client.logout()
        self.assertIs(self.client.login(username="demo", password=DEMO_PASSWORD), True)

    def test_it_leaves_a_database_with_other_data_alone(self):
        """Without --force a non-empty database is refused and left as it was."""
        make_user(username="someone")
        before = row_counts()
        with self.assertRaisesMessage(CommandError, "--force"):
            seed()
        self.assertEqual(row_counts(), before)

    def test_force_adds_the_demo_but_keeps_an_existing_admin(self):
        """--force seeds beside other data; an existing `admin` keeps its password."""
        make_user(username="admin", password="Their-Own-Pass-123")
        output = seed("--force")
        self.assertIn("existing account; its password was not changed", output)
        self.assertNotIn(ADMIN_PASSWORD, output)
        self.assertIs(self.client.login(username="admin", password="Their-Own-Pass-123"), True)
        self.assertTrue(Patient.objects.filter(user__username="demo").exists())
