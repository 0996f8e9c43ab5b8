"""value_rows gives exactly what the serializer gives, from `.values()` rows."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from clinic.api.shapes import DoctorRefSerializer
from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.api.tests.test_records import make_consultation, make_report
from clinic.api.value_rows import NotCompilable, row_objects, value_rows
from clinic.api.views.booking import BookingApi
from clinic.api.views.consultations import ConsultationsApi
from clinic.api.views.history import HistoryApi
from clinic.api.views.reports import ReportsApi
from clinic.appointments.models import Appointment
from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.fhir.mappings.appointment import RESOURCE
from clinic.labs.models import LabReport
from clinic.labs.selectors import lab_report_list_for
from clinic.records.selectors import consultation_list_for
from clinic.testing import make_doctor


class ValueRowsMatchTheSerializerTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        other = make_doctor(name="Dr. Vik Menon", specialty="Cardiology")
        for day, start, doctor in [
            (TUESDAY, dt.time(9, 30), self.dr_rao),
            (TUESDAY, dt.time(11, 0), other),
            (WEDNESDAY, dt.time(9, 0), self.dr_rao),
            (WEDNESDAY, dt.time(10, 0), other),
        ]:
            appointment_book(patient=self.alice, doctor=doctor, day=day, start=start)
        appointment_cancel(patient=self.alice, ids=[Appointment.objects.order_by("pk")[1].pk])
        appointment_book(patient=self.bob, doctor=other, day=TUESDAY, start=dt.time(9, 0))

    def test_the_booking_list_is_the_serializers_output(self):
        queryset = appointment_upcoming_for(patient=self.alice)
        expected = BookingApi.OutputSerializer(queryset, many=True).data
        self.assertEqual(len(expected), 3)
        served = value_rows(BookingApi.OutputSerializer, queryset, known={"patient": self.alice})
        self.assertEqual(served, expected)

    def test_the_history_is_the_serializers_output(self):
        Appointment.objects.filter(patient=self.alice).update(date=dt.date(2020, 1, 7))
        queryset = appointment_history_for(patient=self.alice)
        expected = HistoryApi.OutputSerializer(queryset, many=True).data
        self.assertEqual({row["reason"] for row in expected}, {"Canceled", "--------"})
        served = value_rows(
            HistoryApi.OutputSerializer, queryset, extra=("status",),
            known={"patient": self.alice},
        )
        self.assertEqual(served, expected)

    def test_one_query_and_no_patient_join_for_a_known_patient(self):
        queryset = appointment_upcoming_for(patient=self.alice)
        with CaptureQueriesContext(connection) as ctx:
            value_rows(BookingApi.OutputSerializer, queryset, known={"patient": self.alice})
        (query,) = ctx.captured_queries
        self.assertNotIn("patients_patient", query["sql"].split("WHERE")[0])

    def test_a_null_foreign_key_gives_null_for_the_nested_object(self):
        class Canceller(serializers.Serializer):
            username = serializers.CharField()

        class Row(serializers.Serializer):
            id = serializers.IntegerField()
            cancelled_by_user = Canceller(allow_null=True)

        staff = get_user_model().objects.create_user("desk1", password="x")
        rows = Appointment.objects.filter(patient=self.alice).order_by("pk")
        rows.update(cancelled_by_user=None)
        rows.filter(pk=rows[0].pk).update(cancelled_by_user=staff)
        served = value_rows(Row, rows)
        self.assertEqual(served, Row(rows, many=True).data)
        self.assertEqual(served[0]["cancelled_by_user"], {"username": "desk1"})
        self.assertIsNone(served[1]["cancelled_by_user"])

    def test_model_properties_and_file_fields_read_the_loaded_columns(self):
        make_report(self.alice, self.dr_rao, released=True)
        make_report(self.alice, self.dr_rao)

        class Report(serializers.Serializer):
            released = serializers.BooleanField(source="is_released")
            file_name = serializers.SerializerMethodField()
            doctor = DoctorRefSerializer()

            def get_file_name(self, report) -> str:
                return report.file.name if report.file else ""

        rows = LabReport.objects.filter(patient=self.alice).order_by("pk")
        served = value_rows(Report, rows, extra=("status", "file"))
        self.assertEqual(served, Report(rows, many=True).data)
        self.assertTrue(served[0]["file_name"].endswith(".pdf"))
        self.assertEqual([row["released"] for row in served], [True, False])

    def test_a_column_not_loaded_is_an_error_not_a_guess(self):
        make_report(self.alice, self.dr_rao)

        class Report(serializers.Serializer):
            released = serializers.BooleanField(source="is_released")

        with self.assertRaises(AttributeError):
            value_rows(Report, LabReport.objects.all())  # is_released reads `status`


class NotCompilableTests(ApiTestCase):
    def test_shapes_it_cannot_stand_in_for_are_refused(self):
        consultation = make_consultation(self.alice, self.dr_rao, lines=2)
        rows = type(consultation).objects.all()

        class WithMany(serializers.Serializer):
            medicines = serializers.ListSerializer(child=serializers.CharField(), source="lines")

        class Line(serializers.Serializer):
            medicine = serializers.CharField()

        class ManyOfAForeignKey(serializers.Serializer):
            doctors = Line(source="doctor", many=True)

        class OwnRepresentation(serializers.Serializer):
            id = serializers.IntegerField()

            def to_representation(self, instance):
                return {"id": instance.pk}

        class NestedOwnRepresentation(serializers.Serializer):
            doctor = OwnRepresentation()

        class Inner(serializers.Serializer):
            name = serializers.SerializerMethodField()

            def get_name(self, doctor) -> str:
                return doctor.name

        class NestedMethod(serializers.Serializer):
            doctor = Inner()

        for serializer in (WithMany, ManyOfAForeignKey, NestedOwnRepresentation, NestedMethod):
            with self.subTest(serializer.__name__), self.assertRaises(NotCompilable):
                value_rows(serializer, rows)

    def test_a_scan_file_reads_as_a_file(self):
        make_consultation(self.alice, self.dr_rao, scan=True)
        consultation = type(make_consultation(self.alice, self.dr_rao)).objects.order_by("pk")

        class Scan(serializers.Serializer):
            has_scan = serializers.SerializerMethodField()

            def get_has_scan(self, row) -> bool:
                return bool(row.scan)

        served = value_rows(Scan, consultation, extra=("scan",))
        self.assertEqual(served, [{"has_scan": True}, {"has_scan": False}])


class OwnRepresentationTests(ApiTestCase):
    def test_the_reports_list_is_the_serializers_output(self):
        """The reports' serializer has its own to_representation (file fields only once
        released); it runs on the row objects and gives the same rows."""
        make_report(self.alice, self.dr_rao, released=True)
        make_report(self.alice, self.dr_rao, resulted=True)
        make_report(self.alice, self.dr_rao)
        request = RequestFactory().get("/cms-api/reports/")
        request.user = self.alice.user
        context = {"request": request}
        queryset = lab_report_list_for(patient=self.alice)
        expected = ReportsApi.OutputSerializer(queryset, many=True, context=context).data
        served = value_rows(
            ReportsApi.OutputSerializer, queryset, extra=("status", "file", "original_name"),
            known={"patient": self.alice}, context=context,
        )
        # The download links are signed per call with a timestamp: compare without them.
        links = [row.pop("report-image", None) for row in served]
        expected_links = [row.pop("report-image", None) for row in expected]
        self.assertEqual(served, expected)
        self.assertEqual([bool(link) for link in links], [bool(link) for link in expected_links])
        self.assertEqual(sum(1 for row in served if "report" in row), 1)


class ManyTests(ApiTestCase):
    def test_the_consultations_list_is_the_serializers_output(self):
        """Medicines come in one more query, filtered and ordered as the selector's
        prefetch: a line entered in error is left out, the others keep their order."""
        first = make_consultation(self.alice, self.dr_rao, lines=3, scan=True)
        make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 3))  # one line
        make_consultation(self.bob, self.dr_rao, lines=2)
        line = first.lines.order_by("position")[1]
        type(line).objects.filter(pk=line.pk).update(
            entered_in_error_at=dt.datetime(2029, 12, 2, tzinfo=dt.UTC), error_reason="Wrong"
        )
        request = RequestFactory().get("/cms-api/consultations/")
        request.user = self.alice.user
        context = {"request": request}
        queryset = consultation_list_for(patient=self.alice)
        expected = ConsultationsApi.OutputSerializer(queryset, many=True, context=context).data
        with CaptureQueriesContext(connection) as ctx:
            served = value_rows(
                ConsultationsApi.OutputSerializer, queryset, extra=("scan",),
                known={"patient": self.alice}, context=context,
            )
        self.assertEqual(len(ctx.captured_queries), 2)
        for row in (*served, *expected):
            row.pop("prescription")  # signed per call
        self.assertEqual(served, expected)
        self.assertEqual(
            [[m["medicine"] for m in row["medicines"]] for row in served],
            [["Paracetamol 0"], ["Paracetamol 0", "Paracetamol 2"]],
        )


class RowObjectsTests(ApiTestCase):
    def test_row_objects_read_columns_relations_and_properties_like_instances(self):
        """What the FHIR Appointment search maps: the patient's name is a property over
        the loaded columns, the relations come from `__` columns."""
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9))
        queryset = Appointment.objects.filter(patient=self.alice)
        (row,) = row_objects(queryset, RESOURCE.columns)
        (instance,) = queryset.select_related("patient__user", "doctor", "visit_type")
        for read in (
            lambda a: a.pk, lambda a: a.patient_id, lambda a: a.patient.name,
            lambda a: a.doctor.name, lambda a: a.visit_type.name, lambda a: a.date,
            lambda a: a.start, lambda a: a.end, lambda a: a.created_at, lambda a: a.status,
        ):
            self.assertEqual(read(row), read(instance))
        with self.assertRaises(AttributeError):
            _ = row.patient.phone  # not loaded: an error, never a guess
