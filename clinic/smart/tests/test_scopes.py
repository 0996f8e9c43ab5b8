from django.test import SimpleTestCase

from clinic.smart.scopes import READ, WRITE, scope_allows


class ScopeAllowsTests(SimpleTestCase):
    def test_patient_star_read_reads_every_type_but_writes_none(self):
        for resource_type in ("Patient", "Appointment", "DiagnosticReport"):
            with self.subTest(resource_type):
                self.assertIs(scope_allows("patient/*.read", resource_type=resource_type,
                                           action=READ), True)
                self.assertIs(scope_allows("patient/*.read", resource_type=resource_type,
                                           action=WRITE), False)

    def test_appointment_write_writes_only_appointments(self):
        scopes = "launch/patient patient/Appointment.write"
        self.assertIs(scope_allows(scopes, resource_type="Appointment", action=WRITE), True)
        self.assertIs(scope_allows(scopes, resource_type="Patient", action=WRITE), False)
        self.assertIs(scope_allows(scopes, resource_type="Appointment", action=READ), False)

    def test_user_star_read_and_smart_2_letters(self):
        self.assertIs(scope_allows(["user/*.read"], resource_type="Slot", action=READ), True)
        self.assertIs(scope_allows("patient/Appointment.rs", resource_type="Appointment",
                                   action=READ), True)
        self.assertIs(scope_allows("patient/Appointment.cud", resource_type="Appointment",
                                   action=WRITE), True)
        self.assertIs(scope_allows("patient/Appointment.rs", resource_type="Appointment",
                                   action=WRITE), False)

    def test_identity_scopes_and_nonsense_allow_nothing(self):
        for scopes in ("openid fhirUser launch/patient offline_access", "", "patient/*",
                       "system/*.read", "patient/*.xyz"):
            with self.subTest(scopes):
                self.assertIs(scope_allows(scopes, resource_type="Patient", action=READ), False)

    def test_an_unknown_action_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            scope_allows("patient/*.read", resource_type="Patient", action="delete")
