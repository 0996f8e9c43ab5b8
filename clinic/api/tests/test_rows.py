"""The list endpoints' hand-built rows are, byte for byte, what their serializers give.

Those views build their rows from `.values()` for speed (clinic/api/rows.py) and keep
their OutputSerializers as the documented schema. Each test renders the serializer over
the same objects and compares the bytes (keys, key order, value types, formats), so the
schema and the answers cannot drift apart.
"""

import datetime as dt

import time_machine
from django.core.files.base import ContentFile
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.api.tests.test_records import make_consultation, make_report
from clinic.api.views.booking import BookingOutputSerializer
from clinic.api.views.consultations import ConsultationsApi
from clinic.api.views.doctor import DoctorApi
from clinic.api.views.history import HistoryApi
from clinic.api.views.reports import ReportsApi
from clinic.appointments.models import Appointment, Status
from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.doctors.models import Doctor, WeeklySchedule
from clinic.doctors.selectors import doctor_list
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.selectors import lab_report_list_for
from clinic.records.selectors import consultation_list_for
from clinic.testing import FIXED_NOW, api_client, make_doctor


def doctor(name, **changes):
    """A doctor (make_doctor's defaults) with some fields changed."""
    made = make_doctor(name=name)
    Doctor.objects.filter(pk=made.pk).update(**changes)
    made.refresh_from_db()
    return made


class RowsTestCase(ApiTestCase):
    def assertSameAsSerializer(self, url, serializer_class, objects, *, user, rows):
        """GET `url` gives `rows` rows, exactly as `serializer_class` renders `objects`."""
        response = self.call("GET", url, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        request = RequestFactory().get(url)
        request.user = user
        expected = serializer_class(objects, many=True, context={"request": request}).data
        self.assertEqual(len(expected), rows)
        self.assertEqual(response.content.decode(), JSONRenderer().render(expected).decode())
        return response.json()


class BookingRowsTests(RowsTestCase):
    def test_active_bookings_match_the_serializer(self):
        other = doctor(
            "Dr. Bala Iyer", gender="Female", specialty="Dermatology", office_number="7B"
        )
        WeeklySchedule.objects.create(  # an afternoon session, for a PM slot
            doctor=other, weekday=TUESDAY.weekday(), start=dt.time(14, 0), end=dt.time(16, 0)
        )
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        appointment_book(patient=self.alice, doctor=other, day=TUESDAY, start=dt.time(14, 30))
        late = appointment_book(
            patient=self.alice, doctor=other, day=TUESDAY + dt.timedelta(days=7),
            start=dt.time(11, 0),
        )
        cancelled = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0)
        )
        appointment_cancel(patient=self.alice, ids=[cancelled.pk])
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        rows = self.assertSameAsSerializer(
            "/cms-api/booking/", BookingOutputSerializer,
            appointment_upcoming_for(patient=self.alice), user=self.alice.user, rows=3,
        )
        self.assertEqual(rows[2]["Booking_id"], late.pk)
        self.assertEqual(rows[1]["time_slot"], "02:30 PM")


class HistoryRowsTests(RowsTestCase):
    def test_past_and_cancelled_entries_match_the_serializer(self):
        """Kept, completed, no-show and cancelled entries, across two doctors."""
        other = doctor("Dr. Bala Iyer")
        booked = [
            appointment_book(patient=self.alice, doctor=doctor, day=TUESDAY, start=start)
            for doctor, start in [
                (self.dr_rao, dt.time(9, 0)), (self.dr_rao, dt.time(9, 30)),
                (other, dt.time(10, 0)), (other, dt.time(11, 30)),
            ]
        ]
        Appointment.objects.filter(pk=booked[1].pk).update(status=Status.COMPLETED)
        Appointment.objects.filter(pk=booked[2].pk).update(status=Status.NO_SHOW)
        appointment_cancel(patient=self.alice, ids=[booked[3].pk])
        appointment_book(
            patient=self.alice, doctor=other, day=TUESDAY + dt.timedelta(days=7),
            start=dt.time(9, 0),
        )
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2), tick=False):
            rows = self.assertSameAsSerializer(
                "/cms-api/history/", HistoryApi.OutputSerializer,
                appointment_history_for(patient=self.alice), user=self.alice.user, rows=4,
            )
        self.assertEqual(
            [row["reason"] for row in rows], ["Canceled", "--------", "--------", "--------"]
        )


class ReportRowsTests(RowsTestCase):
    def test_ordered_resulted_and_released_reports_match_the_serializer(self):
        """With and without an original name; a file alone, or a result not yet released,
        is not `report_genrated`; an entered-in-error report is not listed."""
        make_report(self.alice, self.dr_rao, day=dt.date(2029, 12, 9))
        make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 8))
        unnamed = make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 7))
        LabReport.objects.filter(pk=unnamed.pk).update(original_name="")
        make_report(self.alice, self.dr_rao, resulted=True, day=dt.date(2029, 12, 6))
        in_error = make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 6))
        LabReport.objects.filter(pk=in_error.pk).update(status=LabStatus.ENTERED_IN_ERROR)
        unfinished = make_report(self.alice, self.dr_rao, day=dt.date(2029, 12, 5))
        unfinished.file.save("draft.pdf", ContentFile(b"%PDF-1.4 draft"), save=True)
        make_report(self.bob, self.dr_rao, released=True)
        rows = self.assertSameAsSerializer(
            "/cms-api/reports/", ReportsApi.OutputSerializer,
            lab_report_list_for(patient=self.alice), user=self.alice.user, rows=5,
        )
        self.assertEqual(
            [row["report_genrated"] for row in rows], [False, True, True, False, False]
        )
        self.assertEqual(rows[1]["report"], "mri-scan.pdf")
        self.assertRegex(rows[2]["report"], r"\.pdf$")
        self.assertIn("/files/", rows[2]["report-image"])


class ConsultationRowsTests(RowsTestCase):
    def test_consultations_match_the_serializer(self):
        """With and without a scan, with no, one or several medicines."""
        other = doctor("Dr. Bala Iyer", office_number="")
        make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 3), lines=3, scan=True)
        make_consultation(self.alice, other, day=dt.date(2029, 12, 2), lines=0)
        make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 2), lines=1, scan=True)
        make_consultation(self.bob, self.dr_rao, lines=2)
        rows = self.assertSameAsSerializer(
            "/cms-api/consultations/", ConsultationsApi.OutputSerializer,
            consultation_list_for(patient=self.alice), user=self.alice.user, rows=3,
        )
        self.assertEqual([len(row["medicines"]) for row in rows], [3, 1, 0])
        self.assertEqual([row["scan"] is None for row in rows], [False, False, True])

    def test_no_consultations_take_no_lines_query(self):
        """Token and consultations only: no lines to read."""
        client = api_client(self.alice.user)
        client.get("/cms-api/consultations/")
        with self.assertNumQueries(2):
            self.assertEqual(client.get("/cms-api/consultations/").json(), [])


class DoctorRowsTests(RowsTestCase):
    URL = "/cms-api/doctor/"

    def test_doctors_match_the_serializer(self):
        """With and without a birth date and a profile picture."""
        pictured = doctor("Dr. Bala Iyer", birth_date=None, experience_years=0)
        pictured.profile_pic.save("me.png", ContentFile(b"\x89PNG fake"), save=True)
        doctor("Dr. Gone", is_active=False)
        rows = self.assertSameAsSerializer(
            self.URL, DoctorApi.OutputSerializer, doctor_list(), user=self.alice.user, rows=2
        )
        self.assertEqual([row["age"] for row in rows], ["54", None])
        self.assertIn("/files/", rows[1]["profile_pic"])

    def test_one_doctor_matches_the_serializer(self):
        pictured = doctor("Dr. Bala Iyer", birth_date=None)
        pictured.profile_pic.save("me.png", ContentFile(b"\x89PNG fake"), save=True)
        for one in (pictured, self.dr_rao):
            with self.subTest(doctor=one.name):
                self.assertSameAsSerializer(
                    f"{self.URL}?doctor_id={one.pk}", DoctorApi.OutputSerializer, [one],
                    user=self.alice.user, rows=1,
                )

    def test_the_age_follows_the_clinic_date(self):
        """Just after midnight in the clinic (still yesterday in UTC) a birthday counts."""
        doctor("Dr. Birthday", birth_date=dt.date(1980, 1, 7))
        just_after_midnight = FIXED_NOW.replace(hour=0, minute=30)
        with time_machine.travel(just_after_midnight, tick=False):
            rows = self.assertSameAsSerializer(
                self.URL, DoctorApi.OutputSerializer, doctor_list(), user=self.staff, rows=2
            )
        self.assertEqual(rows[1]["age"], "50")
