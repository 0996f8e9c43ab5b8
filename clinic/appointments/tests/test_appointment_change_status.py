import datetime as dt

import time_machine

from clinic.appointments.models import Appointment, AppointmentStatusChange, Status
from clinic.appointments.selectors import appointment_history_for
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel_by_clinic,
    appointment_change_status,
)
from clinic.appointments.states import TRANSITIONS
from clinic.core.errors import Conflict, InvalidInput
from clinic.core.models import AuditEvent
from clinic.testing import FIXED_NOW, BaseTestCase

MONDAY = FIXED_NOW.date()  # 08:00
TUESDAY = MONDAY + dt.timedelta(days=1)
AT_0930 = dt.datetime.combine(MONDAY, dt.time(9, 30), FIXED_NOW.tzinfo)


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentChangeStatusTests(BaseTestCase):
    def setUp(self):
        # Today at 09:00 (not started yet at 08:00) and tomorrow at 09:00.
        self.today = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=MONDAY, start=dt.time(9, 0)
        )
        self.tomorrow = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )

    def move(self, appointment, *statuses):
        for status in statuses:
            appointment_change_status(appointment=appointment, status=status, actor=self.staff)
        return appointment

    def test_a_visit_goes_arrived_in_consultation_completed_with_who_and_when(self):
        """Each step stamps its time and leaves a row naming the staff member."""
        self.move(self.today, Status.ARRIVED)
        with time_machine.travel(AT_0930, tick=False):
            self.move(self.today, Status.IN_CONSULTATION, Status.COMPLETED)
        self.today.refresh_from_db()
        self.assertEqual(self.today.status, Status.COMPLETED)
        self.assertEqual(self.today.arrived_at, FIXED_NOW)
        self.assertEqual(self.today.consultation_started_at, AT_0930)
        self.assertEqual(self.today.completed_at, AT_0930)
        steps = AppointmentStatusChange.objects.filter(appointment=self.today)
        self.assertEqual(
            list(steps.values_list("from_status", "to_status", "changed_by")),
            [
                (Status.BOOKED, Status.ARRIVED, self.staff.pk),
                (Status.ARRIVED, Status.IN_CONSULTATION, self.staff.pk),
                (Status.IN_CONSULTATION, Status.COMPLETED, self.staff.pk),
            ],
        )
        self.assertEqual(
            AuditEvent.objects.filter(object_id=str(self.today.pk)).count(), 4
        )  # booked + three steps

    def test_only_the_tables_changes_happen(self):
        """Every pair outside the table is refused, and the row is left as it was."""
        for current in Status.values:
            for wanted in Status.values:
                if wanted in TRANSITIONS[current]:
                    continue
                with self.subTest(current=current, wanted=wanted):
                    Appointment.objects.filter(pk=self.today.pk).update(status=current)
                    self.today.status = current
                    with self.assertRaises(Conflict):
                        self.move(self.today, wanted)
                    self.today.refresh_from_db()
                    self.assertEqual(self.today.status, current)
        self.assertFalse(AppointmentStatusChange.objects.exists())

    def test_arriving_happens_only_on_the_visits_day(self):
        with self.assertRaisesMessage(InvalidInput, "only on the day of the visit"):
            self.move(self.tomorrow, Status.ARRIVED)
        self.tomorrow.refresh_from_db()
        self.assertEqual(self.tomorrow.status, Status.BOOKED)

    def test_no_show_and_completed_from_booked_wait_for_the_start(self):
        for status in (Status.NO_SHOW, Status.COMPLETED):
            with (
                self.subTest(status=status),
                self.assertRaisesMessage(InvalidInput, "has not started yet"),
            ):
                self.move(self.today, status)
        with time_machine.travel(AT_0930, tick=False):
            self.move(self.today, Status.NO_SHOW)
        self.assertEqual(Appointment.objects.get(pk=self.today.pk).status, Status.NO_SHOW)

    def test_an_early_patient_can_be_seen_and_completed_before_the_start(self):
        self.move(self.today, Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED)
        self.assertEqual(Appointment.objects.get(pk=self.today.pk).status, Status.COMPLETED)

    def test_a_stale_instance_loses_the_compare_and_swap(self):
        """Two desks act on the same visit: the second one's change is a Conflict."""
        stale = Appointment.objects.get(pk=self.today.pk)
        self.move(self.today, Status.ARRIVED)
        with self.assertRaisesMessage(Conflict, "changed meanwhile"):
            appointment_change_status(appointment=stale, status=Status.CANCELLED, actor=self.staff)
        self.today.refresh_from_db()
        self.assertEqual(self.today.status, Status.ARRIVED)
        self.assertEqual(AppointmentStatusChange.objects.count(), 1)

    def test_an_unknown_state_is_bad_input(self):
        with self.assertRaisesMessage(InvalidInput, "not a visit state"):
            self.move(self.today, "fulfilled")

    def test_an_arrived_patient_who_leaves_can_be_cancelled_by_the_clinic(self):
        self.move(self.today, Status.ARRIVED)
        cancelled = appointment_cancel_by_clinic(appointments=[self.today], actor=self.staff)
        self.assertEqual([a.pk for a in cancelled], [self.today.pk])
        self.today.refresh_from_db()
        self.assertEqual(self.today.status, Status.CANCELLED)
        self.assertEqual(self.today.cancelled_by_user, self.staff)

    def test_a_visit_entered_in_error_is_not_the_patients_history(self):
        with time_machine.travel(AT_0930, tick=False):
            self.move(self.today, Status.ENTERED_IN_ERROR)
            self.assertEqual(list(appointment_history_for(patient=self.alice)), [])

    def test_a_finished_visit_frees_its_time_for_a_new_booking(self):
        """Entered in error (like cancelled) no longer holds the doctor's time."""
        self.move(self.tomorrow, Status.ENTERED_IN_ERROR)
        again = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        self.assertEqual(again.status, Status.BOOKED)
