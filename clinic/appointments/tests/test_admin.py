import datetime as dt
import itertools

import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.appointments.models import Appointment, CancelledBy, Status
from clinic.appointments.services import appointment_book
from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.testing import FIXED_NOW, make_doctor, make_patient

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)
LAST_WEEK = FIXED_NOW.date() - dt.timedelta(days=7)
CHANGELIST = "/admin/appointments/appointment/"
ADD = "/admin/appointments/appointment/add/"


def change_url(appointment) -> str:
    return reverse("admin:appointments_appointment_change", args=[appointment.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def past_appointment(*, patient, doctor, start=dt.time(9, 0), day=LAST_WEEK, **extra):
    """A booked appointment that already happened (the booking service refuses the past)."""
    return Appointment.objects.create(
        patient=patient, doctor=doctor, date=day, start=start, slot_number=1, **extra
    )


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.booked = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )

    def test_it_shows_the_pages(self):
        """Changelist, change and add pages load for a superuser."""
        self.changelist(CHANGELIST)
        self.assertEqual(self.client.get(change_url(self.booked)).status_code, 200)
        self.assertEqual(self.client.get(ADD).status_code, 200)

    def test_it_searches_and_filters(self):
        """Search by patient name, username, phone or email; filter by status, doctor, date."""
        bobs = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )
        for term in ["Alice", "Adams", "alice", self.alice.phone_national, self.alice.user.email]:
            with self.subTest(term=term):
                self.assertEqual(self.listed(CHANGELIST, q=term), [self.booked])
        self.assertEqual(self.listed(CHANGELIST, q="Brown"), [bobs])
        appointment_book(patient=self.bob, doctor=make_doctor(name="Dr. Other"), day=TUESDAY,
                         start=dt.time(11, 0))
        self.assertEqual(len(self.listed(CHANGELIST, doctor__id__exact=self.dr_rao.pk)), 2)
        self.assertEqual(len(self.listed(CHANGELIST, status__exact="cancelled")), 0)
        self.assertEqual(len(self.listed(CHANGELIST, date__year=TUESDAY.year,
                                         date__month=TUESDAY.month, date__day=TUESDAY.day)), 3)

    def test_it_cancels_through_the_service(self):
        """The cancel action cancels on the clinic's behalf and writes the audit event."""
        response = self.client.post(
            CHANGELIST,
            {"action": "cancel_by_clinic", "_selected_action": [self.booked.pk]},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.booked.refresh_from_db()
        self.assertEqual(self.booked.status, Status.CANCELLED)
        self.assertEqual(self.booked.cancelled_by, CancelledBy.CLINIC)
        self.assertEqual(self.booked.cancelled_by_user, self.staff)
        event = AuditEvent.objects.get(action="appointment.cancelled")
        self.assertEqual((event.actor, event.object_id), (self.staff, str(self.booked.pk)))
        self.assertEqual(event.data, {"by": "clinic"})
        self.assertIn("1 appointment cancelled.", messages_of(response))

    def test_it_skips_what_is_not_booked_when_cancelling(self):
        """Cancelling an already cancelled appointment changes nothing and says so."""
        self.client.post(CHANGELIST, {"action": "cancel_by_clinic",
                                      "_selected_action": [self.booked.pk]})
        response = self.client.post(
            CHANGELIST,
            {"action": "cancel_by_clinic", "_selected_action": [self.booked.pk]},
            follow=True,
        )
        self.assertIn("1 appointment skipped (no longer booked).", messages_of(response))
        self.assertEqual(AuditEvent.objects.filter(action="appointment.cancelled").count(), 1)

    def test_it_marks_outcomes_through_the_service(self):
        """Completed and no-show are set on started appointments, with an audit event each."""
        seen = past_appointment(patient=self.alice, doctor=self.dr_rao)
        missed = past_appointment(patient=self.bob, doctor=self.dr_rao, start=dt.time(9, 30))
        self.client.post(CHANGELIST, {"action": "mark_completed", "_selected_action": [seen.pk]})
        self.client.post(CHANGELIST, {"action": "mark_no_show", "_selected_action": [missed.pk]})
        seen.refresh_from_db()
        missed.refresh_from_db()
        self.assertEqual((seen.status, missed.status), (Status.COMPLETED, Status.NO_SHOW))
        self.assertEqual(
            set(AuditEvent.objects.values_list("action", "object_id", "actor")),
            {
                ("appointment.booked", str(self.booked.pk), self.alice.user.pk),
                ("appointment.completed", str(seen.pk), self.staff.pk),
                ("appointment.no_show", str(missed.pk), self.staff.pk),
            },
        )

    def test_it_refuses_an_outcome_for_a_future_appointment(self):
        """A refusal is a message; the appointment stays booked and nothing is audited."""
        response = self.client.post(
            CHANGELIST,
            {"action": "mark_completed", "_selected_action": [self.booked.pk]},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.booked.refresh_from_db()
        self.assertEqual(self.booked.status, Status.BOOKED)
        self.assertIn("has not started yet", " ".join(messages_of(response)))
        self.assertFalse(AuditEvent.objects.filter(action="appointment.completed").exists())

    def test_it_books_through_the_service(self):
        """Adding an appointment books a free slot: slot number, audit event, booked status."""
        response = self.client.post(ADD, {
            "patient": self.bob.pk, "doctor": self.dr_rao.pk,
            "date": TUESDAY.isoformat(), "start": "10:30", "reason": "Follow-up",
        })
        self.assertEqual(response.status_code, 302, response.content[:2000])
        added = Appointment.objects.get(patient=self.bob)
        self.assertEqual((added.start, added.slot_number, added.status),
                         (dt.time(10, 30), 4, Status.BOOKED))
        self.assertEqual(added.reason, "Follow-up")
        self.assertTrue(AuditEvent.objects.filter(
            action="appointment.booked", object_id=str(added.pk), actor=self.staff).exists())

    def test_it_refuses_a_taken_slot_and_writes_nothing(self):
        """A taken slot re-renders the form with the service's message; no row, no audit, no log."""
        before = (Appointment.objects.count(), AuditEvent.objects.count())
        response = self.client.post(ADD, {
            "patient": self.bob.pk, "doctor": self.dr_rao.pk,
            "date": TUESDAY.isoformat(), "start": "09:00",
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is not free any more")
        self.assertTrue(response.context["adminform"].form.errors)
        self.assertEqual((Appointment.objects.count(), AuditEvent.objects.count()), before)
        self.assertFalse(self.staff.logentry_set.exists())

    def test_it_puts_field_errors_on_the_field(self):
        """A past date and a time that is no slot show on their own fields."""
        cases = [({"date": LAST_WEEK.isoformat(), "start": "09:00"}, "date", "in the past"),
                 ({"date": TUESDAY.isoformat(), "start": "09:10"}, "start", "not one of")]
        for data, field, text in cases:
            with self.subTest(field=field):
                response = self.client.post(
                    ADD, {"patient": self.bob.pk, "doctor": self.dr_rao.pk, **data}
                )
                self.assertEqual(response.status_code, 200)
                errors = response.context["adminform"].form.errors
                self.assertIn(text, " ".join(errors.get(field, [])))
        self.assertEqual(Appointment.objects.count(), 1)

    def test_appointments_are_cancelled_not_deleted(self):
        """The admin offers no delete: history stays, the cancel action is the way."""
        url = f"{change_url(self.booked).removesuffix('change/')}delete/"
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(Appointment.objects.filter(pk=self.booked.pk).exists())

    def test_status_is_not_editable_in_the_change_form(self):
        """Posting a status changes nothing; only the reason is edited there."""
        response = self.client.post(change_url(self.booked), {
            "reason": "Chest pain", "status": "cancelled", "date": LAST_WEEK.isoformat(),
        })
        self.assertEqual(response.status_code, 302)
        self.booked.refresh_from_db()
        self.assertEqual((self.booked.status, self.booked.date, self.booked.reason),
                         (Status.BOOKED, TUESDAY, "Chest pain"))
        self.assertTrue(AuditEvent.objects.filter(action="appointment.admin_updated").exists())

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """No query per row: patient, user and doctor come joined."""
        slots = itertools.count()

        def make_rows(k):
            for _ in range(k):
                i = next(slots)
                patient = make_patient(first_name=f"P{i}")
                doctor = make_doctor(schedule=False)
                past_appointment(patient=patient, doctor=doctor, day=LAST_WEEK - dt.timedelta(i))

        queries = self.assertChangelistQueriesConstant(CHANGELIST, make_rows, n=5)
        self.assertEqual(queries, self.EXPECTED_QUERIES)

    # session + user + the verifying device, 2 counts, rows, 2 for the date hierarchy,
    # visit type, doctor and
    # specialty filter choices, and the session save (SESSION_SAVE_EVERY_REQUEST:
    # savepoint, update, release).
    EXPECTED_QUERIES = 14


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentMoveAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.booked = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        self.move_url = reverse("admin:appointments_appointment_move", args=[self.booked.pk])

    def test_the_action_leads_to_the_move_form(self):
        response = self.client.post(
            CHANGELIST, {"action": "move", "_selected_action": [self.booked.pk]}
        )
        self.assertRedirects(response, self.move_url)
        self.assertContains(self.client.get(self.move_url), "Move appointment")
        self.assertContains(self.client.get(change_url(self.booked)), self.move_url)

    def test_it_moves_through_the_service(self):
        """The staff's move is the patient's reschedule: same id, new slot, audited by staff."""
        response = self.client.post(
            self.move_url, {"doctor": self.dr_rao.pk, "date": str(TUESDAY), "start": "10:30"}
        )
        self.assertRedirects(response, change_url(self.booked))
        self.booked.refresh_from_db()
        self.assertEqual((self.booked.start, self.booked.status), (dt.time(10, 30), Status.BOOKED))
        event = AuditEvent.objects.get(action="appointment.rescheduled")
        self.assertEqual(event.actor, self.staff)

    def test_a_refusal_is_shown_on_the_form(self):
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 30))
        response = self.client.post(
            self.move_url, {"doctor": self.dr_rao.pk, "date": str(TUESDAY), "start": "10:30"}
        )
        self.assertContains(response, "is not free any more")
        self.booked.refresh_from_db()
        self.assertEqual(self.booked.start, dt.time(9, 0))
