"""Sizes are checked first and error bodies stay small; nested JSON is a 400, never a 500."""

import datetime as dt
import json

from django.test import override_settings

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.appointments.models import Status
from clinic.appointments.services import appointment_book

# Every JSON endpoint with the method(s) that read a body (logout/ and GET patient/ read none).
JSON_ENDPOINTS = [
    ("POST", "/cms-api/login/"),
    ("POST", "/cms-api/signup/"),
    ("PATCH", "/cms-api/patient/"),
    ("GET", "/cms-api/doctor/"),
    ("GET", "/cms-api/slots/"),
    ("GET", "/cms-api/booking/"),
    ("POST", "/cms-api/booking/"),
    ("DELETE", "/cms-api/booking/"),
    ("GET", "/cms-api/history/"),
    ("GET", "/cms-api/consultations/"),
    ("GET", "/cms-api/reports/"),
    ("POST", "/cms-api/api-get-otp/"),
    ("POST", "/cms-api/verify-otp/"),
    ("POST", "/cms-api/reset-password/"),
]


class NestedJsonTests(ApiTestCase):
    def test_deeply_nested_json_is_a_400_everywhere(self):
        """`[` x 3000 (and an object as deep) answers 400 with ERR on every endpoint."""
        for raw in ("[" * 3000, '{"a":' * 3000, "[" * 3000 + "]" * 3000):
            for method, path in JSON_ENDPOINTS:
                with self.subTest(method=method, path=path, raw=raw[:6]):
                    response = self.call(method, path, raw=raw, user=self.alice.user)
                    self.assertError(response, 400, "nested")

    def test_nesting_far_below_the_recursion_limit_is_refused_too(self):
        """100 levels parse in Python but are refused before any view walks them."""
        raw = json.dumps({"booking-ids": json.loads("[" * 100 + "]" * 100)})
        response = self.call("DELETE", "/cms-api/booking/", raw=raw, user=self.alice.user)
        self.assertError(response, 400, "nested")

    def test_ordinary_nesting_still_works(self):
        """The contract's bodies (an object holding a list) are untouched by the limit."""
        response = self.call(
            "DELETE", "/cms-api/booking/", {"booking-ids": [999]}, user=self.alice.user
        )
        self.assertError(response, 404)


class IdListSizeTests(ApiTestCase):
    def test_a_huge_id_list_is_refused_by_its_length_with_a_small_answer(self):
        """150,000 ids: 400 naming the limit, a body of a few hundred bytes, nothing cancelled."""
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        ids = [appointment.pk] * 150_000
        response = self.call(
            "DELETE", "/cms-api/booking/", {"booking-ids": ids}, user=self.alice.user
        )
        body = self.assertError(response, 400, "100")
        self.assertLess(len(response.content), 1000, body)
        appointment.refresh_from_db()
        self.assertEqual(appointment.status, Status.BOOKED)

    def test_a_huge_list_of_bad_items_is_refused_by_its_length_first(self):
        """Even when every item is invalid, the answer is the length error, not 150,000."""
        response = self.call(
            "DELETE", "/cms-api/booking/", {"booking-ids": ["x"] * 150_000}, user=self.alice.user
        )
        self.assertError(response, 400, "100")
        self.assertLess(len(response.content), 1000)


class ErrorBodySizeTests(ApiTestCase):
    def test_error_messages_never_echo_a_long_input(self):
        """A 100 kB invalid choice is quoted in the message only as a short prefix."""
        response = self.call(
            "PATCH", "/cms-api/patient/", {"gender": "x" * 100_000}, user=self.alice.user
        )
        self.assertError(response, 400, "gender")
        self.assertLess(len(response.content), 2000)

    def test_many_field_errors_are_capped(self):
        """An invalid list of 100 items gives a bounded FIELDS map."""
        response = self.call(
            "DELETE", "/cms-api/booking/", {"booking-ids": ["x" * 500] * 100}, user=self.alice.user
        )
        body = self.assertError(response, 400)
        self.assertLessEqual(len(body.get("FIELDS", {})), 20)
        self.assertLess(len(response.content), 8000)


class BodySizeTests(ApiTestCase):
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_a_json_body_over_the_limit_is_413_on_every_endpoint(self):
        """A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 wherever it is sent."""
        raw = json.dumps({"pad": "x" * 2000})
        for method, path in JSON_ENDPOINTS:
            with self.subTest(method=method, path=path):
                self.assertError(
                    self.call(method, path, raw=raw, user=self.alice.user), 413, "too large"
                )

    @override_settings(MAX_REQUEST_BYTES=10_000)
    def test_a_declared_oversized_upload_is_413_before_it_is_read(self):
        """A multipart body over MAX_REQUEST_BYTES is refused from its Content-Length."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from clinic.testing import api_client

        client = api_client(self.alice.user)

        def big():
            return SimpleUploadedFile(
                "me.png", b"\x89PNG" + b"0" * 20_000, content_type="image/png"
            )

        response = client.patch("/cms-api/patient/", {"profile_pic": big()}, format="multipart")
        self.assertError(response, 413, "too large")
        self.client.force_login(self.alice.user)
        page = self.client.post("/profile/picture/", {"picture": big()})
        self.assertEqual(page.status_code, 413)
