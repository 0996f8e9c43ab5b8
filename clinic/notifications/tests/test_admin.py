"""The outbox in the admin: read-only, masked recipients, constant queries."""

import datetime as dt

from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.core import clock
from clinic.notifications.models import OutgoingMessage
from clinic.notifications.tests.base import NotifyTestCase
from clinic.testing import make_user, verified_login

URL = "/admin/notifications/outgoingmessage/"


class OutboxAdminTests(NotifyTestCase):
    def add(self, count: int) -> None:
        for _ in range(count):
            user = make_user()
            OutgoingMessage.objects.create(
                channel="email", recipient=user.email, recipient_masked="u***1@example.com",
                user=user, template="appointment_booked", context={"appointment_id": 1},
                status="failed", attempts=5, last_error="The mail server answered 550",
            )

    def test_it_lists_messages_with_masked_recipients(self):
        """Staff see template, status, attempts and the error, never the full address."""
        self.add(1)
        verified_login(self.client, self.staff)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertIn("u***1@example.com", text)
        self.assertIn("The mail server answered 550", text)
        self.assertNotIn(OutgoingMessage.objects.get().recipient, text)
        detail = self.client.get(f"{URL}{OutgoingMessage.objects.get().pk}/change/")
        self.assertEqual(detail.status_code, 200)
        self.assertNotIn(OutgoingMessage.objects.get().recipient, detail.content.decode())

    def test_it_is_read_only(self):
        """No adding, changing or deleting messages through the admin."""
        self.add(1)
        verified_login(self.client, self.staff)
        pk = OutgoingMessage.objects.get().pk
        self.assertEqual(self.client.get(f"{URL}add/").status_code, 403)
        self.assertEqual(self.client.post(f"{URL}{pk}/delete/", {"post": "yes"}).status_code, 403)
        self.assertEqual(OutgoingMessage.objects.count(), 1)

    def test_failed_messages_can_be_sent_again(self):
        """The retry action queues failed messages again and the worker sends them;
        messages already sent are left alone."""
        from clinic.appointments.models import Appointment

        appointment = Appointment.objects.create(
            patient=self.alice, doctor=self.dr_rao,
            date=clock.today() + dt.timedelta(days=1), start=dt.time(9, 0), slot_number=1,
        )
        self.add(1)
        failed = OutgoingMessage.objects.get()
        OutgoingMessage.objects.filter(pk=failed.pk).update(
            context={"appointment_id": appointment.pk}
        )
        sent = OutgoingMessage.objects.create(
            channel="email", recipient="x@example.com", recipient_masked="x***@example.com",
            template="appointment_booked", context={"appointment_id": appointment.pk},
            status="sent", attempts=1,
        )
        verified_login(self.client, self.staff)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                URL, {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True
            )
        self.assertContains(response, "1 message(s) queued again")
        failed.refresh_from_db()
        self.assertEqual((failed.status, failed.attempts), ("sent", 6))
        self.assertEqual([m.to for m in mail.outbox], [[failed.recipient]])

    def test_staff_who_are_not_superusers_cannot_open_the_outbox(self):
        """The admin is for superusers: staff holding the view permission (and verified by
        their authenticator) are sent to the login page; superusers see the retry action."""
        self.add(1)
        viewer = make_user(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_outgoingmessage"))
        verified_login(self.client, viewer)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        verified_login(self.client, self.staff)
        self.assertContains(self.client.get(URL), 'value="retry"')

    def test_the_list_costs_the_same_queries_for_more_rows(self):
        """list_select_related keeps the changelist's query count flat."""
        verified_login(self.client, self.staff)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(URL).status_code, 200)
            return len(captured)

        self.add(2)
        few = queries()
        self.add(10)
        self.assertEqual(queries(), few)


class EventAdminTests(NotifyTestCase):
    URL = "/admin/notifications/outboxevent/"

    def test_failed_events_are_listed_searchable_and_retried(self):
        """Staff see each event's status, attempts and error; any search term is safe;
        the retry action processes a failed event again."""
        from clinic.notifications.models import OutboxEvent

        event = OutboxEvent.objects.create(
            name="appointment_booked", object_id=999999, status="failed", attempts=5,
            last_error="RuntimeError in the appointment_booked handler",
        )
        verified_login(self.client, self.staff)
        self.assertContains(self.client.get(self.URL), "RuntimeError in the appointment_booked")
        for term in ["999999", "abc", "appointment"]:
            with self.subTest(term=term):
                self.assertEqual(self.client.get(self.URL, {"q": term}).status_code, 200)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.URL, {"action": "retry", "_selected_action": [event.pk]}, follow=True
            )
        self.assertContains(response, "1 event(s) queued again")
        event.refresh_from_db()
        self.assertEqual(event.status, "done")  # the appointment is gone: nothing to send
