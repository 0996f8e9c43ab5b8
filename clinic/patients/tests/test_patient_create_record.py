"""patient_create_record: the front desk registers a patient who has no login."""

import datetime as dt
import re

from clinic.core.errors import InvalidInput
from clinic.core.models import AuditEvent
from clinic.patients.models import Patient, record_number_for
from clinic.patients.services import patient_create_record
from clinic.testing import BaseTestCase


def record(**changes):
    return {
        "given_name": "Meena",
        "family_name": "Pillai",
        "gender": "Female",
        "dob": dt.date(1958, 3, 9),
        **changes,
    }


class PatientCreateRecordTests(BaseTestCase):
    def test_it_records_a_walk_in_without_login_email_or_phone(self):
        patient = patient_create_record(actor=self.staff, **record())
        patient.refresh_from_db()
        self.assertIsNone(patient.user)
        self.assertEqual((patient.email, str(patient.phone)), ("", ""))
        self.assertEqual(patient.name, "Meena Pillai")
        self.assertEqual(patient.record_number, record_number_for(patient.pk))
        self.assertRegex(patient.record_number, r"^CMS-\d{6}$")
        event = AuditEvent.objects.get(action="patient.recorded")
        self.assertEqual((event.actor, event.object_id), (self.staff, str(patient.pk)))

    def test_it_keeps_contact_details_and_alerts(self):
        patient = patient_create_record(
            actor=self.staff,
            **record(
                phone="98765 43219",
                email=" Meena@Example.com ",
                allergies="Penicillin",
                alerts="Hard of hearing",
            ),
        )
        patient.refresh_from_db()
        self.assertEqual(str(patient.phone), "+919876543219")
        self.assertEqual(patient.contact_email, "meena@example.com")
        self.assertEqual((patient.allergies, patient.alerts), ("Penicillin", "Hard of hearing"))

    def test_a_guardian_manages_the_new_record(self):
        child = patient_create_record(
            actor=self.alice.user,
            guardian=self.alice.user,
            **record(given_name="Kiran", dob=dt.date(2021, 1, 2)),
        )
        self.assertEqual(list(child.guardians.all()), [self.alice.user])

    def test_every_record_gets_its_own_number(self):
        numbers = [
            patient_create_record(actor=self.staff, **record()).record_number for _ in range(3)
        ]
        numbers += [self.alice.record_number, self.bob.record_number]
        self.assertEqual(len(set(numbers)), 5)
        self.assertTrue(all(re.fullmatch(r"CMS-\d{6}", n) for n in numbers))

    def test_bad_input_is_a_clear_error_and_records_nothing(self):
        cases = [
            (record(given_name=""), "given_name"),
            (record(gender="male"), "gender"),
            (record(dob=dt.date(2031, 1, 1)), "dob"),
            (record(phone="12345"), "phone"),
            (record(phone="９８７６５abcde"), "phone"),
            (record(email="not-an-email"), "email"),
        ]
        before = Patient.objects.count()
        for data, field in cases:
            with self.subTest(field=field), self.assertRaises(InvalidInput) as caught:
                patient_create_record(actor=self.staff, **data)
            self.assertTrue(caught.exception.message.startswith(f"{field}: "), caught.exception)
        self.assertEqual(Patient.objects.count(), before)
        self.assertFalse(AuditEvent.objects.filter(action="patient.recorded").exists())
