"""log_record_access: one row per patient read, all in one INSERT; the logs that show them."""

from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.request import Request

from clinic.audit.models import Channel, RecordAccess
from clinic.audit.services import log_record_access
from clinic.staff.roles import Role
from clinic.testing import BaseTestCase, make_doctor, make_patient, make_staff, verified_login


class LogRecordAccessTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.nurse = make_staff(Role.FRONT_DESK, first_name="Nina", last_name="Desk")

    def request(self, user=None, **meta):
        request = RequestFactory().get("/clinic/patients/1/?q=Alice", **meta)
        request.user = user or self.nurse
        return request

    def test_one_patient_is_one_row(self):
        rows = log_record_access(request=self.request(REMOTE_ADDR="10.0.0.7"),
                                 patients=self.alice, via="workspace")
        self.assertEqual(len(rows), 1)
        row = RecordAccess.objects.get()
        self.assertEqual(
            (row.user, row.patient, row.ip_address, row.via, row.path),
            (self.nurse, self.alice, "10.0.0.7", Channel.WORKSPACE, "/clinic/patients/1/"),
        )
        self.assertIsNotNone(row.at)

    def test_many_patients_are_one_query(self):
        """A bundle of 50 patients costs one INSERT, whatever its size."""
        patients = [make_patient() for _ in range(50)]
        with self.assertNumQueries(1):
            log_record_access(request=self.request(), patients=patients, via="fhir")
        self.assertEqual(RecordAccess.objects.filter(via="fhir").count(), 50)

    def test_ids_and_duplicates(self):
        """Ids work as well as records; each patient is logged once per call."""
        log_record_access(request=self.request(), patients=[self.alice.pk, self.alice, self.bob.pk],
                          via="api")
        self.assertEqual(
            sorted(RecordAccess.objects.values_list("patient_id", flat=True)),
            sorted([self.alice.pk, self.bob.pk]),
        )

    def test_nothing_to_log_costs_nothing(self):
        with self.assertNumQueries(0):
            self.assertEqual(log_record_access(request=self.request(), patients=[], via="fhir"), [])

    def test_an_unknown_channel_is_refused(self):
        with self.assertRaises(ValueError):
            log_record_access(request=self.request(), patients=self.alice, via="fax")
        self.assertFalse(RecordAccess.objects.exists())

    def test_a_drf_request_logs_its_token_user(self):
        request = Request(self.request(user=self.alice.user))
        request._user = self.nurse  # as a token authentication leaves it
        log_record_access(request=request, patients=self.alice, via="fhir")
        self.assertEqual(RecordAccess.objects.get().user, self.nurse)

    def test_an_anonymous_caller_is_logged_without_a_user(self):
        from django.contrib.auth.models import AnonymousUser

        request = self.request()
        request.user = AnonymousUser()
        log_record_access(request=request, patients=self.alice, via="fhir")
        self.assertIsNone(RecordAccess.objects.get().user)

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_the_address_is_the_proxys_view(self):
        log_record_access(
            request=self.request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8"),
            patients=self.alice, via="workspace",
        )
        self.assertEqual(RecordAccess.objects.get().ip_address, "5.6.7.8")


class AccessLogPagesTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.manager = make_staff(Role.MANAGER, first_name="Maya", last_name="Manager")
        self.doctor = make_staff(Role.DOCTOR, doctor=make_doctor(), first_name="Dev",
                                 last_name="Doctor")
        for user, ip in ((self.manager, "10.9.8.7"), (self.doctor, "10.9.8.6")):
            request = RequestFactory().get("/clinic/x/", REMOTE_ADDR=ip)
            request.user = user
            log_record_access(request=request, patients=self.alice, via="workspace")
        # The patient's own app reading through FHIR is not "the clinic".
        request = RequestFactory().get("/fhir/Patient/1")
        request.user = self.alice.user
        log_record_access(request=request, patients=self.alice, via="fhir")

    def test_the_patient_sees_staff_names_and_roles_not_addresses(self):
        self.client.force_login(self.alice.user)
        response = self.client.get(reverse("portal:record_access"))
        self.assertContains(response, "Maya Manager")
        self.assertContains(response, "Dev Doctor")
        self.assertContains(response, "Manager")
        self.assertNotContains(response, "10.9.8.")
        self.assertNotContains(response, "/clinic/x/")
        self.assertEqual(len(response.context["page"].object_list), 2)

    def test_another_patient_sees_none_of_it(self):
        self.client.force_login(self.bob.user)
        response = self.client.get(reverse("portal:record_access"))
        self.assertContains(response, "Nobody at the clinic has opened this record yet")

    def test_the_patient_page_costs_the_same_queries_for_more_rows(self):
        self.client.force_login(self.alice.user)

        def count():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(reverse("portal:record_access")).status_code, 200)
            return len(captured)

        before = count()
        for _ in range(5):
            staff = make_staff(Role.FRONT_DESK)
            request = RequestFactory().get("/clinic/y/")
            request.user = staff
            log_record_access(request=request, patients=self.alice, via="workspace")
        self.assertEqual(count(), before)

    def test_staff_see_who_where_and_how(self):
        verified_login(self.client, self.manager)
        response = self.client.get(reverse("workspace:access_log", args=[self.alice.pk]))
        self.assertContains(response, "10.9.8.6")
        self.assertContains(response, "Dev Doctor")
        self.assertContains(response, "FHIR API")
        self.assertContains(response, "the patient")
