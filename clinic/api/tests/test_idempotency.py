"""POST booking/ with an Idempotency-Key: a retry answers as the first request did."""

import datetime as dt
from io import StringIO
from unittest import mock

import time_machine
from django.core.management import call_command

from clinic.api.models import IdempotencyRecord
from clinic.api.tests.base import ApiTestCase
from clinic.appointments.models import Appointment
from clinic.core.models import AuditEvent
from clinic.testing import FIXED_NOW, api_client

URL = "/cms-api/booking/"
BODY = {"date": "2030-01-08", "slot": "09:30 AM"}


class IdempotencyKeyTests(ApiTestCase):
    def book(self, key=None, user=None, client=None, **body):
        extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        data = {**BODY, "doc_id": self.dr_rao.pk, **body}
        return self.call("POST", URL, data, user=user or self.alice.user, client=client, **extra)

    def test_a_retry_answers_exactly_as_the_first_and_books_nothing_more(self):
        """Same account, key and body: the same 201 and body, one appointment, one audit."""
        first = self.book("retry-1")
        self.assertEqual(first.status_code, 201, first.content)
        audits = AuditEvent.objects.count()
        second = self.book("retry-1")
        self.assertEqual(second.status_code, 201)
        self.assertEqual(second.json(), first.json())
        self.assertEqual(second["Idempotent-Replayed"], "true")
        self.assertEqual(Appointment.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_the_same_key_with_another_body_is_a_409(self):
        """A different slot under a used key: 409, nothing booked."""
        self.book("retry-2")
        response = self.book("retry-2", slot="10:00 AM")
        self.assertError(response, 409, "Idempotency-Key")
        self.assertEqual(Appointment.objects.count(), 1)

    def test_an_error_answer_is_replayed_too(self):
        """A first 409 (slot taken) is the answer to its retries, even once the slot frees."""
        taken = self.book(user=self.bob.user)
        first = self.book("retry-3")
        self.assertError(first, 409)
        Appointment.objects.filter(pk=taken.json()["data"]["Booking_id"]).delete()
        second = self.book("retry-3")
        self.assertEqual((second.status_code, second.json()), (409, first.json()))
        self.assertEqual(Appointment.objects.count(), 0)

    def test_keys_belong_to_one_account(self):
        """Bob may use the key Alice used; each gets their own answer."""
        self.assertEqual(self.book("shared-key").status_code, 201)
        bob = self.book("shared-key", user=self.bob.user, slot="10:00 AM")
        self.assertEqual(bob.status_code, 201, bob.content)
        self.assertEqual(Appointment.objects.count(), 2)

    def test_invalid_keys_are_a_400_and_change_nothing(self):
        """Empty, over 255 characters, non-ASCII or control characters: 400."""
        for key in ("", "k" * 256, "clé", "tab\there"):
            with self.subTest(key=key[:10]):
                self.assertError(self.book(key), 400, "Idempotency-Key")
        self.assertEqual(Appointment.objects.count(), 0)
        self.assertEqual(IdempotencyRecord.objects.count(), 0)
        self.assertEqual(self.book("k" * 255).status_code, 201)

    def test_without_a_key_nothing_is_stored(self):
        """Requests without the header work as before and leave no record."""
        self.assertEqual(self.book().status_code, 201)
        self.assertEqual(IdempotencyRecord.objects.count(), 0)

    def test_a_server_error_is_not_kept_and_its_booking_is_rolled_back(self):
        """A 5xx stores nothing and books nothing; the retry runs for real."""
        client = api_client(self.alice.user)
        client.raise_request_exception = False
        with mock.patch(
            "clinic.api.views.booking.BookingOutputSerializer.to_representation",
            side_effect=RuntimeError("boom"),
        ):
            failed = self.book("retry-5xx", client=client)
        self.assertEqual(failed.status_code, 500)
        self.assertEqual(Appointment.objects.count(), 0)
        self.assertEqual(IdempotencyRecord.objects.count(), 0)
        self.assertEqual(self.book("retry-5xx").status_code, 201)

    def test_keys_expire_after_24_hours(self):
        """After 24 hours a key is free again, and the prune command deletes old records."""
        self.book("old-key")
        with time_machine.travel(FIXED_NOW + dt.timedelta(hours=25), tick=False):
            response = self.book("old-key", date="2030-01-09")
            self.assertEqual(response.status_code, 201, response.content)
        with time_machine.travel(FIXED_NOW + dt.timedelta(hours=30), tick=False):
            self.book("fresh-key", date="2030-01-10")
        with time_machine.travel(FIXED_NOW + dt.timedelta(hours=50), tick=False):
            out = StringIO()
            call_command("prune_idempotency_keys", stdout=out)
        self.assertIn("Deleted 1", out.getvalue())
        self.assertEqual(
            list(IdempotencyRecord.objects.values_list("key", flat=True)), ["fresh-key"]
        )

    def test_the_schema_documents_the_header(self):
        """booking_create lists Idempotency-Key as an optional header parameter."""
        schema = api_client().get("/cms-api/schema/?format=json").json()
        post = schema["paths"]["/cms-api/booking/"]["post"]
        header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
        self.assertEqual((header["in"], header.get("required", False)), ("header", False))
        self.assertEqual(header["schema"]["maxLength"], 255)
