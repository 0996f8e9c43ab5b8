"""Every change of an appointment is kept with who and when (django-simple-history),
including the state service's compare-and-swap, which writes with update()."""

import datetime as dt

import time_machine

from clinic.appointments.models import Status, VisitType
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_change_status,
)
from clinic.core.errors import InvalidInput
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.testing import FIXED_NOW

MONDAY = FIXED_NOW.date()
TUESDAY = MONDAY + dt.timedelta(days=1)


@time_machine.travel(FIXED_NOW, tick=False)
class AppointmentHistoryTests(AdminTestCase):
    def test_each_step_of_a_visit_leaves_a_history_row_with_its_user(self):
        appointment = appointment_book(
            patient=self.alice,
            doctor=self.dr_rao,
            day=MONDAY,
            start=dt.time(9, 0),
            actor=self.alice.user,
        )
        for status in (Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED):
            appointment_change_status(appointment=appointment, status=status, actor=self.staff)
        rows = list(
            appointment.history.order_by("history_id").values_list(
                "history_type", "status", "history_user", "arrived_at"
            )
        )
        self.assertEqual(
            [r[:3] for r in rows],
            [
                ("+", Status.BOOKED, None),
                ("~", Status.ARRIVED, self.staff.pk),
                ("~", Status.IN_CONSULTATION, self.staff.pk),
                ("~", Status.COMPLETED, self.staff.pk),
            ],
        )
        self.assertIsNone(rows[0][3])
        self.assertEqual(rows[1][3], FIXED_NOW)
        self.assertEqual(
            appointment.history.latest().history_change_reason,
            "status: in_consultation → completed",
        )

    def test_a_patients_cancellation_is_kept_with_the_patient(self):
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        appointment_cancel(patient=self.alice, ids=[appointment.pk], actor=self.alice.user)
        latest = appointment.history.latest()
        self.assertEqual(
            (latest.status, latest.cancelled_by, latest.history_user_id),
            (Status.CANCELLED, "patient", self.alice.user_id),
        )

    def test_a_refused_change_leaves_no_history(self):
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        with self.assertRaises(InvalidInput):
            appointment_change_status(
                appointment=appointment, status=Status.ARRIVED, actor=self.staff
            )
        self.assertEqual(appointment.history.count(), 1)

    def test_admin_edits_and_the_history_page(self):
        """The admin's reason edit records the staff member; the history page shows it."""
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        url = f"/admin/appointments/appointment/{appointment.pk}/"
        response = self.client.post(f"{url}change/", {"reason": "Chest pain"})
        self.assertEqual(response.status_code, 302)
        latest = appointment.history.latest()
        self.assertEqual((latest.reason, latest.history_user_id), ("Chest pain", self.staff.pk))
        page = self.client.get(f"{url}history/")
        self.assertContains(page, "Chest pain")

    def test_visit_types_keep_their_history(self):
        kind = VisitType.objects.create(name="Follow-up", minutes=15)
        kind.minutes = 20
        kind.save()
        self.assertEqual(list(kind.history.values_list("minutes", flat=True)), [20, 15])
