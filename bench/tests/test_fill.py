import datetime as dt

from django.contrib.auth import authenticate
from django.db.models import Count
from knox.crypto import hash_token
from knox.models import AuthToken

from bench.fill import PASSWORD, booking_pool, fill
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core import clock
from clinic.doctors.models import Doctor
from clinic.labs.models import LabReport
from clinic.patients.models import Patient
from clinic.records.models import Consultation
from clinic.testing import BaseTestCase


class FillTests(BaseTestCase):
    """The bench filler on a tiny clinic, on the test database (beside the test cast)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.manifest = fill(
            doctors=2, patients=20, appointments=50, readers=3, bookers=2, reader_history=4,
            reader_upcoming=2, reader_consultations=2, reader_reports=2, log=lambda msg: None,
        )

    def test_it_creates_the_clinic_of_the_given_size(self):
        """Doctors, patients and appointments are counted as asked, with default schedules."""
        doctors = Doctor.objects.filter(pk__in=self.manifest["doctor_ids"])
        self.assertEqual(doctors.count(), 2)
        self.assertEqual([d.schedules.count() for d in doctors], [6, 6])
        self.assertEqual(Patient.objects.filter(address__endswith="Bench Road").count(), 20)
        bench = Appointment.objects.filter(doctor__in=doctors)
        self.assertEqual(bench.count(), 50)
        self.assertEqual(self.manifest["appointments"], 50)

    def test_it_keeps_most_appointments_in_the_past(self):
        """Upcoming rows are few and booked; everything else is before today."""
        today = clock.today()
        bench = Appointment.objects.filter(doctor__in=self.manifest["doctor_ids"])
        upcoming = bench.filter(date__gt=today)
        self.assertEqual(upcoming.count(), self.manifest["upcoming"])
        self.assertTrue(0 < upcoming.count() < 50)
        self.assertFalse(upcoming.exclude(status=Status.BOOKED).exists())
        self.assertFalse(bench.filter(date__lt=today, status=Status.BOOKED).exists())
        self.assertTrue(bench.filter(date__lt=today, status=Status.COMPLETED).exists())

    def test_it_respects_the_partial_unique_constraints(self):
        """No doctor slot and no patient time holds two booked appointments."""
        booked = Appointment.objects.filter(status=Status.BOOKED)
        for key in (("doctor", "date", "start"), ("patient", "date", "start")):
            clashes = booked.values(*key).annotate(n=Count("pk")).filter(n__gt=1)
            self.assertFalse(clashes.exists(), key)

    def test_it_gives_readers_their_history_records_and_tokens(self):
        """Each reader has the fixed history, upcoming bookings, consultations and reports."""
        today = clock.today()
        for reader in self.manifest["readers"]:
            pid = reader["patient_id"]
            mine = Appointment.objects.filter(patient_id=pid)
            self.assertEqual(mine.filter(date__lt=today).count(), 4)
            self.assertEqual(mine.filter(date__gt=today, status=Status.BOOKED).count(), 2)
            self.assertEqual(LabReport.objects.filter(patient_id=pid).count(), 2)
            self.assertLessEqual(Consultation.objects.filter(patient_id=pid).count(), 2)
            token = AuthToken.objects.get(digest=hash_token(reader["token"]))
            self.assertEqual(token.user.patient.pk, pid)
        self.assertTrue(Consultation.objects.filter(appointment__isnull=False).exists())

    def test_it_gives_every_patient_the_one_password(self):
        """The precomputed hash is a real one: a bench patient can sign in."""
        user = Patient.objects.get(pk=self.manifest["bookers"][0]["patient_id"]).user
        self.assertEqual(authenticate(username=user.username, password=PASSWORD), user)

    def test_it_leaves_the_booking_pools_free(self):
        """A booker books and cancels a pool slot of its own doctor through the real services."""
        booker = self.manifest["bookers"][1]
        patient = Patient.objects.get(pk=booker["patient_id"])
        doctor = Doctor.objects.get(pk=booker["doctor_id"])
        pool = booking_pool(today=clock.today())
        self.assertGreater(len(pool), 200)
        day, at = pool[0]
        self.assertGreater(day, clock.today() + dt.timedelta(days=25))
        appointment = appointment_book(patient=patient, doctor=doctor, day=day, start=at)
        appointment_cancel(patient=patient, ids=[appointment.pk])
        again = appointment_book(patient=patient, doctor=doctor, day=day, start=at)
        self.assertEqual(again.status, Status.BOOKED)
