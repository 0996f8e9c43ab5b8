"""The real transports against real servers on loopback: aiosmtpd for SMTP, a Twilio stand-in."""

import base64
import datetime as dt
import email
import email.policy
import io
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings
from icalendar import Calendar

from clinic.appointments.services import appointment_book
from clinic.notifications.backends.base import TransportError
from clinic.notifications.backends.sms_twilio import TwilioSmsBackend
from clinic.notifications.models import MessageStatus, OutgoingMessage
from clinic.notifications.tests.base import ALICE_E164, NotifyTestCase
from clinic.testing import FIXED_NOW

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 32
FROM_NUMBER = "+15005550006"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what the server received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpDeliveryTests(NotifyTestCase):
    def setUp(self):
        super().setUp()
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)

    def test_it_delivers_a_confirmation_through_smtp(self):
        """The booking email reaches a real SMTP server with text and HTML parts."""
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.smtp.port,
            EMAIL_USE_TLS=False,
            DEFAULT_FROM_EMAIL="CMS Clinic <clinic@cms.test>",
        ), self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                patient=self.alice, doctor=self.dr_rao,
                day=FIXED_NOW.date() + dt.timedelta(days=1), start=dt.time(10, 30),
            )
        self.assertEqual(len(self.inbox.envelopes), 1)
        envelope = self.inbox.envelopes[0]
        self.assertEqual(envelope.mail_from, "clinic@cms.test")
        self.assertEqual(envelope.rcpt_tos, ["alice@example.com"])
        received = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.assertIn("Appointment confirmed", received["Subject"])
        # Text and HTML as alternatives, plus the appointment as a calendar invitation.
        self.assertEqual(received.get_content_type(), "multipart/mixed")
        (invitation,) = list(received.iter_attachments())
        self.assertEqual(invitation.get_content_type(), "text/calendar")
        calendar = Calendar.from_ical(invitation.get_content())
        self.assertEqual(str(calendar["method"]), "REQUEST")
        self.assertEqual(calendar.walk("VEVENT")[0].decoded("dtstart").time(), dt.time(10, 30))
        text = received.get_body(("plain",)).get_content()
        html = received.get_body(("html",)).get_content()
        self.assertIn("10:30 AM", text)
        self.assertIn("<strong>10:30 AM</strong>", html)
        row = OutgoingMessage.objects.get(channel="email")
        self.assertEqual(row.status, MessageStatus.SENT)
        self.assertEqual(f"<{row.provider_id}>", received["Message-ID"])

    def test_a_refused_recipient_is_a_permanent_failure(self):
        """A 550 from the server fails the message without retries."""

        class Refusing(Inbox):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                return "550 No such user here"

        refusing = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
        refusing.start()
        self.addCleanup(refusing.stop)
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=refusing.port,
        ), self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                patient=self.alice, doctor=self.dr_rao,
                day=FIXED_NOW.date() + dt.timedelta(days=1), start=dt.time(10, 30),
            )
        row = OutgoingMessage.objects.get(channel="email")
        self.assertEqual((row.status, row.attempts), (MessageStatus.FAILED, 1))
        self.assertIn("refused", row.last_error)

    def test_a_resent_email_carries_the_same_message_id(self):
        """The server takes the message but answers 451; the retry, an attempt later, sends
        the same Message-ID, by which the receiver recognises the copy."""

        class AcceptsOnSecondTry(Inbox):
            async def handle_DATA(self, server, session, envelope):
                self.envelopes.append(envelope)
                return "451 Try again later" if len(self.envelopes) == 1 else "250 OK"

        inbox = AcceptsOnSecondTry()
        flaky = Controller(inbox, hostname="127.0.0.1", port=free_port())
        flaky.start()
        self.addCleanup(flaky.stop)
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=flaky.port,
            DEFAULT_FROM_EMAIL="CMS Clinic <clinic@cms.test>",
        ):
            with self.captureOnCommitCallbacks(execute=True):
                appointment_book(
                    patient=self.alice, doctor=self.dr_rao,
                    day=FIXED_NOW.date() + dt.timedelta(days=1), start=dt.time(10, 30),
                )
            row = OutgoingMessage.objects.get(channel="email")
            self.assertEqual(row.status, MessageStatus.AWAITING_RETRY)
            self.travel(60)
            call_command("retry_messages", stdout=io.StringIO())
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (MessageStatus.SENT, 2))
        ids = [
            email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"]
            for e in inbox.envelopes
        ]
        self.assertEqual(len(ids), 2)
        self.assertEqual(ids[0], ids[1])
        self.assertEqual(ids[0], f"<{row.provider_id}>")
        self.assertTrue(ids[0].endswith("@cms.test>"), ids[0])


class TwilioStandIn(BaseHTTPRequestHandler):
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json as Twilio does."""

    requests: list = []
    answer_status = 201
    # Statuses to answer first, one per request, before answer_status.
    script: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(
            {"path": self.path, "headers": dict(self.headers), "form": urllib.parse.parse_qs(body)}
        )
        status = self.script.pop(0) if self.script else self.answer_status
        if status == 201:
            payload = {
                "sid": "SM" + "a" * 32, "account_sid": ACCOUNT_SID, "status": "queued",
                "to": urllib.parse.parse_qs(body)["To"][0], "from": FROM_NUMBER,
                "body": urllib.parse.parse_qs(body)["Body"][0],
            }
        else:
            payload = {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class TwilioDeliveryTests(NotifyTestCase):
    def setUp(self):
        super().setUp()
        handler = type("Handler", (TwilioStandIn,), {"requests": [], "script": []})
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        settings = override_settings(
            SMS_BACKEND="clinic.notifications.backends.sms_twilio.TwilioSmsBackend",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER=FROM_NUMBER,
            TWILIO_BASE_URL=f"http://127.0.0.1:{self.server.server_port}",
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def test_it_sends_the_request_twilio_expects(self):
        """The twilio client posts From, To and Body to the account's Messages, with basic auth."""
        with self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                patient=self.alice, doctor=self.dr_rao,
                day=FIXED_NOW.date() + dt.timedelta(days=1), start=dt.time(9, 0),
            )
        self.assertEqual(len(self.handler.requests), 1)
        request = self.handler.requests[0]
        self.assertEqual(request["path"], f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
        self.assertEqual(request["form"]["To"], [ALICE_E164])
        self.assertEqual(request["form"]["From"], [FROM_NUMBER])
        self.assertIn("09:00 AM", request["form"]["Body"][0])
        self.assertIn("is confirmed", request["form"]["Body"][0])
        auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        self.assertEqual(request["headers"]["Authorization"], f"Basic {auth}")
        row = OutgoingMessage.objects.get(channel="sms")
        self.assertEqual((row.status, row.provider_id), (MessageStatus.SENT, "SM" + "a" * 32))

    def test_a_retried_sms_carries_the_same_idempotency_key(self):
        """Twilio answers 503; the retry posts the same Idempotency-Key as the first request."""
        self.handler.script[:] = [503]
        with self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                patient=self.alice, doctor=self.dr_rao,
                day=FIXED_NOW.date() + dt.timedelta(days=1), start=dt.time(9, 0),
            )
        row = OutgoingMessage.objects.get(channel="sms")
        self.assertEqual(row.status, MessageStatus.AWAITING_RETRY)
        self.travel(60)
        call_command("retry_messages", stdout=io.StringIO())
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (MessageStatus.SENT, 2))
        keys = [request["headers"].get("Idempotency-Key") for request in self.handler.requests]
        self.assertEqual(len(keys), 2)
        self.assertTrue(keys[0])
        self.assertEqual(keys[0], keys[1])

    def test_an_invalid_number_is_a_permanent_failure(self):
        """Twilio's 400 (code 21211) raises a permanent TransportError."""
        self.handler.answer_status = 400
        with self.assertRaises(TransportError) as raised:
            TwilioSmsBackend().send(to="+919876543210", body="hello")
        self.assertIs(raised.exception.permanent, True)
        self.assertIn("21211", str(raised.exception))

    def test_an_unreachable_twilio_is_transient(self):
        """No server at the URL: a transient error, retried later."""
        with override_settings(TWILIO_BASE_URL=f"http://127.0.0.1:{free_port()}"):
            with self.assertRaises(TransportError) as raised:
                TwilioSmsBackend(timeout=2).send(to="+919876543210", body="hello")
        self.assertIs(raised.exception.permanent, False)
