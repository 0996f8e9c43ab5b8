import time_machine

from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.patients.models import Patient
from clinic.testing import FIXED_NOW, make_patient

CHANGELIST = "/admin/patients/patient/"


@time_machine.travel(FIXED_NOW, tick=False)
class PatientAdminTests(AdminTestCase):
    def test_it_shows_the_pages(self):
        """Changelist, change and add pages load for a superuser."""
        self.changelist(CHANGELIST)
        self.assertEqual(self.client.get(f"{CHANGELIST}{self.alice.pk}/change/").status_code, 200)
        self.assertEqual(self.client.get(f"{CHANGELIST}add/").status_code, 200)

    def test_it_shows_age_and_verification(self):
        """The list shows the age (from the date of birth) and the verified flags."""
        self.alice.email_verified = True
        self.alice.save()
        response = self.changelist(CHANGELIST, q="alice")
        self.assertContains(response, '<td class="field-age">39</td>', html=True)
        icon = '<td class="field-{}"><img src="/static/admin/img/icon-{}.svg"'
        self.assertContains(response, icon.format("email_verified", "yes"))
        self.assertContains(response, icon.format("phone_verified", "no"))
        page = self.client.get(f"{CHANGELIST}{self.alice.pk}/change/")
        self.assertContains(page, '<div class="readonly">39</div>', html=True)

    def test_it_searches_by_name_username_phone_and_email(self):
        """Each of given and family name, username, phone, email and record number finds
        the patient."""
        terms = [
            "Alice",
            "adams",
            "alice",
            self.alice.phone_national,
            str(self.alice.phone),
            "alice@example.com",
            self.alice.record_number,
        ]
        for term in terms:
            with self.subTest(term=term):
                self.assertEqual(self.listed(CHANGELIST, q=term), [self.alice])
        self.assertEqual(self.listed(CHANGELIST, q="nobody-like-this"), [])

    def test_it_filters_by_verification(self):
        self.bob.phone_verified = True
        self.bob.save()
        self.assertEqual(self.listed(CHANGELIST, phone_verified__exact=1), [self.bob])

    def test_an_admin_edit_is_audited(self):
        """Saving the change form records who changed which fields, not the values."""
        response = self.client.post(
            f"{CHANGELIST}{self.alice.pk}/change/",
            {
                "user": self.alice.user.pk,
                "given_name": "Alice",
                "family_name": "Adams",
                "email": "alice@example.com",
                "gender": "Female",
                "dob": "1990-05-17",
                "address": "2 New Street",
                "phone": self.alice.phone_national,
                "email_verified": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action="patient.admin_updated")
        self.assertEqual((event.actor, event.object_id), (self.staff, str(self.alice.pk)))
        self.assertEqual(event.data, {"fields": ["address", "email_verified"]})

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """The user is joined: no query per patient."""
        queries = self.assertChangelistQueriesConstant(
            CHANGELIST, lambda k: [make_patient() for _ in range(k)], n=5
        )
        # session + user + device, 2 counts, rows, session save (savepoint, update, release)
        self.assertEqual(queries, 9)

    def test_adding_a_patient_records_one_without_a_login(self):
        """The add form goes through patient_create_record: numbered, audited, no login."""
        response = self.client.post(
            f"{CHANGELIST}add/",
            {
                "given_name": "Meena",
                "family_name": "Pillai",
                "gender": "Female",
                "dob": "1958-03-09",
                "phone": "98765 43219",
                "allergies": "Penicillin",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        patient = Patient.objects.get(given_name="Meena")
        self.assertIsNone(patient.user)
        self.assertEqual(str(patient.phone), "+919876543219")
        self.assertRegex(patient.record_number, r"^CMS-\d{6}$")
        self.assertTrue(AuditEvent.objects.filter(action="patient.recorded").exists())

    def test_a_bad_phone_is_a_form_error_and_adds_nothing(self):
        before = Patient.objects.count()
        response = self.client.post(
            f"{CHANGELIST}add/",
            {"given_name": "X", "gender": "Male", "dob": "1990-01-01", "phone": "98765abcde"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid phone number.")
        self.assertEqual(Patient.objects.count(), before)
