import datetime as dt

from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.notifications.tests.base import NotifyTestCase
from clinic.testing import FIXED_NOW, make_patient

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)
WEDNESDAY = TUESDAY + dt.timedelta(days=1)
NINE_THIRTY = dt.time(9, 30)


class WaitlistTestCase(NotifyTestCase):
    """Frozen time, in-memory email and SMS, tasks run at once; carol holds Tuesday 09:30."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.carol = make_patient(first_name="Carol", last_name="Cole", username="carol")

    def setUp(self):
        super().setUp()
        self.carols = appointment_book(
            patient=self.carol, doctor=self.dr_rao, day=TUESDAY, start=NINE_THIRTY
        )

    def free_carols_slot(self):
        """Carol cancels; after commit the slot is offered (the immediate queue runs the task)."""
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=self.carol, ids=[self.carols.pk])
