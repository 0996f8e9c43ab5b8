"""Every change to a patient record is kept, with who made it."""

import datetime as dt

from clinic.patients.services import patient_create_record, patient_update
from clinic.testing import BaseTestCase


class PatientHistoryTests(BaseTestCase):
    def test_the_first_history_row_carries_the_record_number(self):
        patient = patient_create_record(
            actor=self.staff, given_name="Meena", gender="Female", dob=dt.date(1958, 3, 9)
        )
        created = patient.history.get()
        self.assertEqual(
            (created.history_type, created.record_number), ("+", patient.record_number)
        )

    def test_an_update_is_kept_with_the_old_values(self):
        patient_update(patient=self.alice, actor=self.alice.user, address="9 New Road")
        latest, previous = self.alice.history.all()[:2]
        self.assertEqual((latest.history_type, latest.address), ("~", "9 New Road"))
        self.assertEqual(previous.address, "1 Test Street")
        self.assertEqual(latest.diff_against(previous).changed_fields, ["address"])
