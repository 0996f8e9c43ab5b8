from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from simple_history.models import HistoricalChanges

from clinic.accounts.services import password_set
from clinic.core.audit import audit_log
from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase
from clinic.doctors.models import Doctor
from clinic.patients.models import Patient
from clinic.testing import make_user

ADMIN_APPS = ["core", "accounts", "patients", "doctors", "appointments", "records", "labs"]
EVENTS = "/admin/core/auditevent/"
USERS = "/admin/accounts/user/"


class AdminSiteTests(AdminTestCase):
    def test_every_model_is_registered(self):
        """Each model of the clinic's domain apps has an admin.

        Historical models (django-simple-history) are read on their record's history page.
        """
        missing = [
            model._meta.label
            for label in ADMIN_APPS
            for model in apps.get_app_config(label).get_models()
            if model not in admin.site._registry and not issubclass(model, HistoricalChanges)
        ]
        self.assertEqual(missing, [])

    def test_patients_and_doctors_are_chosen_by_autocomplete(self):
        """Wherever a patient or a doctor is picked, the admin searches instead of listing all."""
        plain = []
        for model, model_admin in admin.site._registry.items():
            for field in model._meta.get_fields():
                if getattr(field, "related_model", None) in (Patient, Doctor) and field.concrete:
                    if field.name not in model_admin.autocomplete_fields:
                        plain.append(f"{model._meta.label}.{field.name}")
        self.assertEqual(plain, [])

    def test_timestamps_are_read_only(self):
        """created_at and updated_at show on change forms and cannot be edited."""
        for model, model_admin in admin.site._registry.items():
            names = {f.name for f in model._meta.get_fields()}
            if {"created_at", "updated_at"} <= names and model._meta.app_label in ADMIN_APPS:
                with self.subTest(model=model._meta.label):
                    obj = model()
                    readonly = model_admin.get_readonly_fields(self.fake_request(), obj)
                    self.assertLessEqual({"created_at", "updated_at"}, set(readonly))

    def fake_request(self):
        request = RequestFactory().get("/admin/")
        request.user = self.staff
        return request

    def test_the_autocomplete_finds_patients_by_name(self):
        response = self.client.get("/admin/autocomplete/", {
            "app_label": "appointments", "model_name": "appointment",
            "field_name": "patient", "term": "adam",
        })
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r["id"] for r in response.json()["results"]], [str(self.alice.pk)])

    def test_the_index_lists_the_clinic(self):
        response = self.client.get("/admin/")
        self.assertContains(response, "CMS clinic administration")
        for name in ["Appointments", "Consultations", "Lab reports", "Patients", "Doctors"]:
            self.assertContains(response, f">{name}</a>")


class AuditEventAdminTests(AdminTestCase):
    def test_events_are_visible_and_read_only(self):
        """The audit trail lists, filters and shows events, but cannot be edited or deleted."""
        event = audit_log(actor=self.staff, action="patient.updated", obj=self.alice)
        self.assertEqual(self.listed(EVENTS, action="patient.updated"), [event])
        self.assertEqual(self.listed(EVENTS, q="staff"), [event])
        page = self.client.get(f"{EVENTS}{event.pk}/change/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="_save"')
        self.assertEqual(self.client.get(f"{EVENTS}add/").status_code, 403)
        delete = self.client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"})
        self.assertEqual(delete.status_code, 403)
        self.assertTrue(AuditEvent.objects.filter(pk=event.pk).exists())

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """The actor is joined."""

        def make_events(k):
            for _ in range(k):
                user = make_user()
                audit_log(actor=user, action="account.password_set", obj=user)

        queries = self.assertChangelistQueriesConstant(EVENTS, make_events)
        # session + user + device, 2 counts, rows, session save (3), action and object_type filter
        # choices, date hierarchy (2)
        self.assertEqual(queries, 13)


class UserAdminTests(AdminTestCase):
    def test_it_shows_the_pages_and_searches(self):
        self.assertEqual(self.listed(USERS, q="alice@example"), [self.alice.user])
        self.assertEqual(self.client.get(f"{USERS}{self.alice.user.pk}/change/").status_code, 200)
        self.assertEqual(self.client.get(f"{USERS}add/").status_code, 200)

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        queries = self.assertChangelistQueriesConstant(
            USERS, lambda k: [make_user() for _ in range(k)]
        )
        # session + user + device, 2 counts, rows, session save (3), groups filter choices
        self.assertEqual(queries, 10)

    def test_the_password_is_never_shown(self):
        """The change page shows no hash; the password form is Django's own."""
        password_set(user=self.alice.user, password="An0ther-Secret-Pass")
        page = self.client.get(f"{USERS}{self.alice.user.pk}/change/")
        self.assertNotContains(page, self.alice.user.password.split("$")[-1])
