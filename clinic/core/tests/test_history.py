import datetime as dt

from simple_history.models import registered_models

from clinic.api.tests.base import TUESDAY, ApiTestCase
from clinic.appointments.models import Appointment
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.core.history import CachedHistoryDescriptor


class CachedHistoryManagerTests(ApiTestCase):
    def test_every_tracked_model_builds_its_history_manager_class_once(self):
        self.assertGreater(len(registered_models), 5)
        for model in registered_models.values():
            name = model._meta.simple_history_manager_attribute
            with self.subTest(model=model.__name__):
                self.assertIsInstance(model.__dict__[name], CachedHistoryDescriptor)

    def test_history_still_reads_each_instances_own_rows(self):
        patient, doctor, day = self.alice, self.dr_rao, TUESDAY
        first = appointment_book(patient=patient, doctor=doctor, day=day, start=dt.time(9))
        second = appointment_book(patient=patient, doctor=doctor, day=day, start=dt.time(10))
        appointment_cancel(patient=patient, ids=[second.pk])
        self.assertIs(type(first.history), type(second.history))
        self.assertEqual([h.status for h in second.history.all()], ["cancelled", "booked"])
        self.assertEqual(first.history.count(), 1)
        self.assertEqual(Appointment.history.filter(id=second.pk).count(), 2)
