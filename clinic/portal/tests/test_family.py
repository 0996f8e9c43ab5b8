"""A guardian looks at, and books for, the dependants the login manages."""

import datetime as dt

from django.urls import reverse

from clinic.appointments.models import Appointment
from clinic.patients.services import patient_create_record
from clinic.portal.decorators import ACTING_SESSION_KEY
from clinic.portal.tests.base import NINE_THIRTY, TUESDAY, PortalTestCase
from clinic.records.models import Consultation


class FamilyTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.child = patient_create_record(
            actor=cls.staff,
            guardian=cls.alice.user,
            given_name="Kiran",
            family_name="Adams",
            gender="Male",
            dob=dt.date(2021, 1, 2),
        )

    def switch_to(self, patient_id):
        return self.client.post(reverse("portal:acting_set"), {"patient": patient_id})

    def test_a_guardian_sees_the_switcher_and_a_single_patient_does_not(self):
        self.login()
        page = self.client.get(reverse("portal:dashboard"))
        self.assertContains(page, 'id="viewing-patient"')
        self.assertContains(page, "Kiran Adams")
        self.login(self.bob)
        self.assertNotContains(self.client.get(reverse("portal:dashboard")), "viewing-patient")

    def test_switching_shows_the_dependants_appointments_only(self):
        mine = self.book()
        childs = self.book(patient=self.child, start=NINE_THIRTY)
        self.login()
        response = self.switch_to(self.child.pk)
        self.assertRedirects(response, reverse("portal:dashboard"))
        self.assertEqual(self.client.session[ACTING_SESSION_KEY], self.child.pk)
        listed = self.client.get(reverse("portal:appointments")).context["appointments"]
        self.assertEqual(list(listed), [childs])
        self.switch_to(self.alice.pk)
        listed = self.client.get(reverse("portal:appointments")).context["appointments"]
        self.assertEqual(list(listed), [mine])

    def test_the_guardian_books_for_the_dependant(self):
        self.login()
        self.switch_to(self.child.pk)
        url = reverse("portal:book_confirm", args=[self.dr_rao.pk])
        slot = {"date": TUESDAY.isoformat(), "time": "09:00", "confirm": "yes"}
        self.client.post(url, slot)
        booked = Appointment.objects.get()
        self.assertEqual(booked.patient, self.child)

    def test_another_familys_record_is_a_404_and_changes_nothing(self):
        self.login(self.bob)
        response = self.switch_to(self.child.pk)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(ACTING_SESSION_KEY, self.client.session)
        for garbage in ["", "abc", "999999"]:
            with self.subTest(patient=garbage):
                self.assertEqual(self.switch_to(garbage).status_code, 404)

    def test_a_guardianship_that_ended_falls_back_to_the_own_record(self):
        self.login()
        self.switch_to(self.child.pk)
        self.child.guardians.clear()
        response = self.client.get(reverse("portal:appointments"))
        self.assertEqual(response.wsgi_request.patient, self.alice)
        self.assertNotIn(ACTING_SESSION_KEY, self.client.session)

    def test_the_profile_stays_the_logins_own(self):
        self.login()
        self.switch_to(self.child.pk)
        page = self.client.get(reverse("portal:profile"))
        self.assertContains(page, "alice@example.com")
        self.assertNotContains(page, self.child.record_number)

    def test_the_guardian_may_open_the_dependants_prescription(self):
        visit = self.book(patient=self.child)
        consultation = Consultation.objects.create(
            patient=self.child,
            doctor=self.dr_rao,
            appointment=visit,
            date=TUESDAY,
            purpose="Fever",
            diagnosis="Viral fever",
        )
        self.login()
        self.switch_to(self.child.pk)
        page = self.client.get(reverse("portal:consultations"))
        self.assertContains(page, "Viral fever")
        pdf = self.client.get(reverse("portal:prescription_view", args=[consultation.pk]))
        self.assertIn(pdf.status_code, (200, 302))
        self.login(self.bob)
        other = self.client.get(reverse("portal:prescription_view", args=[consultation.pk]))
        self.assertEqual(other.status_code, 404)
