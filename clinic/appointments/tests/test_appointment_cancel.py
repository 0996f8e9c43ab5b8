import datetime as dt

import time_machine

from clinic.appointments.models import Appointment, CancelledBy, Status
from clinic.appointments.selectors import appointment_history_for, appointment_upcoming_for
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_clinic,
    appointment_set_outcome,
)
from clinic.core.errors import Conflict, InvalidInput, NotFound
from clinic.testing import FIXED_NOW, BaseTestCase

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentCancelTests(BaseTestCase):
    def setUp(self):
        self.first = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        self.second = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )
        self.bobs = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0)
        )

    def test_it_cancels_own_bookings(self):
        """Cancelled appointments leave the active list and show in the history."""
        appointment_cancel(patient=self.alice, ids=[self.first.pk, self.second.pk])
        self.first.refresh_from_db()
        self.assertEqual(self.first.status, Status.CANCELLED)
        self.assertEqual(self.first.cancelled_by, CancelledBy.PATIENT)
        self.assertEqual(self.first.cancelled_by_user, self.alice.user)
        self.assertEqual(list(appointment_upcoming_for(patient=self.alice)), [])
        self.assertEqual(
            {a.pk for a in appointment_history_for(patient=self.alice)},
            {self.first.pk, self.second.pk},
        )

    def test_it_is_all_or_nothing(self):
        """One foreign id cancels nothing, not even the caller's own bookings."""
        with self.assertRaisesMessage(NotFound, str(self.bobs.pk)):
            appointment_cancel(patient=self.alice, ids=[self.first.pk, self.bobs.pk])
        self.assertEqual(Appointment.objects.filter(status=Status.BOOKED).count(), 3)

    def test_it_refuses_unknown_and_already_cancelled_ids(self):
        appointment_cancel(patient=self.alice, ids=[self.first.pk])
        with self.assertRaises(NotFound):
            appointment_cancel(patient=self.alice, ids=[self.first.pk])
        with self.assertRaises(NotFound):
            appointment_cancel(patient=self.alice, ids=[999_999])
        with self.assertRaises(InvalidInput):
            appointment_cancel(patient=self.alice, ids=[])

    def test_past_appointments_cannot_be_cancelled(self):
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2)):
            with self.assertRaises(NotFound):
                appointment_cancel(patient=self.alice, ids=[self.first.pk])
            history = list(appointment_history_for(patient=self.alice))
        self.assertEqual(len(history), 2)

    def test_the_clinic_can_cancel(self):
        cancelled = appointment_cancel_by_clinic(
            appointments=[self.bobs, self.first], actor=self.staff
        )
        self.assertEqual(len(cancelled), 2)
        self.bobs.refresh_from_db()
        self.assertEqual(self.bobs.cancelled_by, CancelledBy.CLINIC)
        # A second run finds nothing left to cancel.
        self.assertEqual(
            appointment_cancel_by_clinic(appointments=[self.bobs], actor=self.staff), []
        )

    def test_outcomes_only_after_the_start(self):
        with self.assertRaisesMessage(InvalidInput, "not started"):
            appointment_set_outcome(
                appointment=self.first, status=Status.COMPLETED, actor=self.staff
            )
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2)):
            appointment_set_outcome(
                appointment=self.first, status=Status.COMPLETED, actor=self.staff
            )
            with self.assertRaises(Conflict):
                appointment_set_outcome(
                    appointment=self.first, status=Status.NO_SHOW, actor=self.staff
                )
        self.first.refresh_from_db()
        self.assertEqual(self.first.status, Status.COMPLETED)
