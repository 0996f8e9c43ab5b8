import datetime as dt

import time_machine

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel_at_desk,
    appointment_change_status,
)
from clinic.core.errors import Conflict, InvalidInput
from clinic.core.models import AuditEvent
from clinic.doctors.selectors import doctor_free_slots
from clinic.testing import FIXED_NOW, BaseTestCase

TODAY = FIXED_NOW.date()


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentCancelAtDeskTests(BaseTestCase):
    def setUp(self):
        self.appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TODAY, start=dt.time(9, 30)
        )

    def cancel(self, reason="The caller is unwell."):
        return appointment_cancel_at_desk(
            appointment_id=self.appointment.pk, reason=reason, actor=self.staff
        )

    def test_it_cancels_for_the_clinic_and_keeps_the_reason(self):
        """The slot is free again; the reason is in the audit log and the history."""
        self.cancel("  Caller   is travelling ")
        self.appointment.refresh_from_db()
        self.assertEqual(self.appointment.status, Status.CANCELLED)
        self.assertEqual(self.appointment.cancelled_by, "clinic")
        event = AuditEvent.objects.get(action="appointment.cancelled")
        self.assertEqual(event.data, {"by": "clinic", "reason": "Caller is travelling"})
        self.assertEqual(event.actor, self.staff)
        self.assertIn(
            "(Caller is travelling)", self.appointment.history.first().history_change_reason
        )
        self.assertIn(dt.time(9, 30), doctor_free_slots(doctor=self.dr_rao, day=TODAY))

    def test_it_needs_a_short_reason(self):
        """No reason, or a reason over 200 characters, changes nothing."""
        for reason in ("", "   ", "x" * 201):
            with self.assertRaises(InvalidInput):
                self.cancel(reason)
        self.assertEqual(Appointment.objects.get().status, Status.BOOKED)

    def test_it_cancels_an_arrived_visit_but_not_a_finished_one(self):
        """Arrived may still be cancelled; completed may not (a Conflict, nothing changed)."""
        appointment_change_status(
            appointment=self.appointment, status=Status.ARRIVED, actor=self.staff
        )
        self.cancel()
        other = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=TODAY, start=dt.time(10)
        )
        with time_machine.travel(FIXED_NOW + dt.timedelta(hours=3), tick=False):
            appointment_change_status(appointment=other, status=Status.COMPLETED, actor=self.staff)
        with self.assertRaisesMessage(Conflict, "can no longer be cancelled"):
            appointment_cancel_at_desk(appointment_id=other.pk, reason="x", actor=self.staff)
        other.refresh_from_db()
        self.assertEqual(other.status, Status.COMPLETED)
