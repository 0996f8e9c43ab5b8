from clinic.appointments.models import VisitType
from clinic.appointments.visit_types import visit_type_default
from clinic.core.models import AuditEvent
from clinic.core.tests.admin_cases import AdminTestCase

VISIT_TYPES = "/admin/appointments/visittype/"


def form(**fields) -> dict:
    return {"name": "Follow-up", "minutes": "15", "is_active": "on", **fields}


class VisitTypeAdminTests(AdminTestCase):
    def test_it_shows_the_pages(self):
        self.changelist(VISIT_TYPES)
        default = VisitType.objects.get(is_default=True)
        for url in (
            f"{VISIT_TYPES}add/",
            f"{VISIT_TYPES}{default.pk}/change/",
            f"{VISIT_TYPES}{default.pk}/history/",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_the_action_moves_the_default_mark(self):
        old = VisitType.objects.get(is_default=True)
        visit_type_default()  # cached
        self.assertEqual(self.client.post(f"{VISIT_TYPES}add/", form()).status_code, 302)
        new = VisitType.objects.get(name="Follow-up")
        self.assertIs(new.is_default, False)
        response = self.client.post(
            VISIT_TYPES, {"action": "make_default", "_selected_action": [new.pk]}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(VisitType.objects.filter(is_default=True)), [new])
        old.refresh_from_db()
        self.assertIs(old.is_default, False)
        self.assertEqual(visit_type_default().pk, new.pk)  # the cache followed
        self.assertTrue(AuditEvent.objects.filter(action="visit_type.made_default").exists())

    def test_an_inactive_type_cannot_become_the_default(self):
        idle = VisitType.objects.create(name="Old", minutes=10, is_active=False)
        self.client.post(VISIT_TYPES, {"action": "make_default", "_selected_action": [idle.pk]})
        idle.refresh_from_db()
        self.assertIs(idle.is_default, False)
        self.assertEqual(VisitType.objects.filter(is_default=True).count(), 1)

    def test_bad_input_is_a_form_error_and_changes_nothing(self):
        default = VisitType.objects.get(is_default=True)
        cases = [
            (form(minutes="3"), "minutes"),
            (form(minutes="241"), "minutes"),
            (form(minutes="soon"), "minutes"),
            (form(name=default.name), "name"),
        ]
        for data, field in cases:
            with self.subTest(data=data):
                response = self.client.post(f"{VISIT_TYPES}add/", data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["adminform"].form.errors)
        self.assertEqual(VisitType.objects.count(), 1)

    def test_the_default_stays_active(self):
        """Its is_active box is disabled: posting it off changes nothing."""
        default = VisitType.objects.get(is_default=True)
        response = self.client.post(
            f"{VISIT_TYPES}{default.pk}/change/", {"name": default.name, "minutes": "20"}
        )
        self.assertEqual(response.status_code, 302)
        default.refresh_from_db()
        self.assertEqual((default.minutes, default.is_active), (20, True))
