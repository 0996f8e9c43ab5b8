"""Booking, cancelling and lab reports tell the patient by email and SMS."""

import datetime as dt
import socket

from django.core import mail
from django.test import override_settings

from clinic.appointments.models import Appointment
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_clinic,
)
from clinic.labs.models import LabReport
from clinic.notifications import events
from clinic.notifications.events import event_emit
from clinic.notifications.models import MessageStatus, OutboxEvent, OutgoingMessage
from clinic.notifications.tests.base import ALICE_E164, NotifyTestCase
from clinic.patients.models import Patient
from clinic.testing import FIXED_NOW

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


class EventTests(NotifyTestCase):
    def book(self, patient=None, at=dt.time(9, 30)) -> Appointment:
        with self.captureOnCommitCallbacks(execute=True):
            return appointment_book(
                patient=patient or self.alice, doctor=self.dr_rao, day=TUESDAY, start=at
            )

    def test_booking_sends_a_confirmation_by_email_and_sms(self):
        """A booking queues and sends one email (text and HTML) and one SMS."""
        appointment = self.book()
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, ["alice@example.com"])
        self.assertIn("Appointment confirmed", email.subject)
        self.assertIn("Dr. Asha Rao", email.body)
        self.assertIn("09:30 AM", email.body)
        self.assertIn(f"#{appointment.pk}", email.body)
        html, mimetype = email.alternatives[0]
        self.assertEqual(mimetype, "text/html")
        self.assertIn("<strong>09:30 AM</strong>", html)
        self.assertEqual(len(self.sms_outbox), 1)
        self.assertEqual(self.sms_outbox[0].to, ALICE_E164)
        self.assertIn("is confirmed", self.sms_outbox[0].body)
        rows = OutgoingMessage.objects.order_by("channel")
        self.assertEqual(
            [(r.channel, r.status) for r in rows], [("email", "sent"), ("sms", "sent")]
        )
        self.assertEqual(rows[0].recipient_masked, "a***e@example.com")
        self.assertEqual(rows[1].recipient_masked, "+91******3210")

    def test_no_sms_for_patients_who_opted_out(self):
        """sms_opt_out leaves email only."""
        Patient.objects.filter(pk=self.alice.pk).update(sms_opt_out=True)
        self.alice.refresh_from_db()
        self.book()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.sms_outbox, [])

    def test_no_sms_without_a_valid_phone(self):
        """A stored number that is not a valid phone number gets no SMS."""
        Patient.objects.filter(pk=self.bob.pk).update(phone="0000000000")
        self.bob.refresh_from_db()
        self.book(patient=self.bob)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.sms_outbox, [])

    def test_cancelling_says_the_patient_cancelled(self):
        """A patient's cancellation is confirmed as theirs."""
        appointment = self.book()
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=self.alice, ids=[appointment.pk])
        email = mail.outbox[-1]
        self.assertIn("Appointment cancelled", email.subject)
        self.assertIn("as you asked", email.body)
        self.assertNotIn("clinic had to cancel", email.body)
        self.assertIn("cancelled as you asked", self.sms_outbox[-1].body)

    def test_cancelling_by_the_clinic_says_so(self):
        """A cancellation by the clinic apologises and says who cancelled."""
        appointment = self.book()
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel_by_clinic(appointments=[appointment], actor=self.staff)
        email = mail.outbox[-1]
        self.assertIn("the clinic had to cancel", email.body)
        self.assertIn("clinic had to cancel", email.alternatives[0][0])
        self.assertIn("cancelled by the clinic", self.sms_outbox[-1].body)

    def test_a_late_confirmation_of_a_cancelled_booking_is_skipped(self):
        """A confirmation still queued when the booking is cancelled is not sent."""
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )  # on_commit callbacks discarded: the confirmation is not sent yet
        appointment_cancel(patient=self.alice, ids=[appointment.pk])
        with self.captureOnCommitCallbacks(execute=True):
            events.appointment_booked(appointment_id=appointment.pk)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            set(OutgoingMessage.objects.values_list("status", flat=True)), {MessageStatus.SKIPPED}
        )

    def test_a_lab_report_ready_is_announced(self):
        """lab_report_ready tells the patient the test's name, by email and SMS."""
        report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="Lipid profile", date=FIXED_NOW.date(),
            status="released", file="reports/lipids.pdf", released_at=FIXED_NOW,
        )
        with self.captureOnCommitCallbacks(execute=True):
            events.lab_report_ready(report_id=report.pk)
        self.assertIn("Lipid profile", mail.outbox[0].subject)
        self.assertIn("Lipid profile", self.sms_outbox[0].body)

    def test_an_event_twice_sends_once(self):
        """The idempotency key keeps a repeated event from messaging twice."""
        appointment = self.book()
        with self.captureOnCommitCallbacks(execute=True):
            events.appointment_booked(appointment_id=appointment.pk)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(OutgoingMessage.objects.count(), 2)

    def test_a_mail_outage_never_breaks_a_booking(self):
        """With the SMTP server down the booking stands and the email awaits a retry."""
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=2,
        ):
            appointment = self.book()
        self.assertEqual(Appointment.objects.get(pk=appointment.pk).status, "booked")
        email = OutgoingMessage.objects.get(channel="email")
        self.assertEqual(email.status, MessageStatus.AWAITING_RETRY)
        self.assertEqual(email.attempts, 1)
        self.assertIn("unreachable", email.last_error)
        self.assertEqual(OutgoingMessage.objects.get(channel="sms").status, MessageStatus.SENT)

    def test_an_event_for_a_row_that_is_gone_sends_nothing(self):
        """The handler finds no appointment or report: the event is done, no message queued."""
        with self.captureOnCommitCallbacks(execute=True):
            events.appointment_booked(appointment_id=999999)
            events.appointment_cancelled(appointment_id=999999)
            events.lab_report_ready(report_id=999999)
        self.assertEqual(list(OutboxEvent.objects.values_list("status", flat=True)), ["done"] * 3)
        self.assertEqual(OutgoingMessage.objects.count(), 0)

    def test_emitting_a_wrong_event_is_a_bug_that_raises(self):
        """An event no app registered, or an id that is no number, raises in the caller."""
        with self.assertRaisesMessage(ValueError, "Unknown notification event"):
            event_emit(name="appointment_teleported", object_id=1)
        with self.assertRaises(ValueError):
            events.appointment_booked(appointment_id="not-an-id")
        self.assertEqual(OutboxEvent.objects.count(), 0)
