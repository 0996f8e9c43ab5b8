import datetime as dt

from django.test import override_settings
from django.urls import reverse

from clinic.doctors.models import TimeOff
from clinic.portal.tests.base import TODAY, TUESDAY, PortalTestCase
from clinic.testing import make_doctor


class HomeTests(PortalTestCase):
    @override_settings(
        CLINIC={
            "NAME": "Sunrise Clinic", "ADDRESS": "4 Lake View", "PHONE": "+91 1",
            "EMAIL": "desk@sunrise.example",
            "SPECIALTIES": ["Pediatrics", "Geriatrics"],
        }
    )
    def test_it_shows_the_clinic_from_settings_and_the_active_doctors(self):
        """Name and specialties come from settings.CLINIC; doctors, and each site's hours
        as the sessions make them, from the DB."""
        make_doctor(name="Dr. Gone Away", is_active=False)
        response = self.client.get(reverse("portal:home"))
        self.assertContains(response, "Sunrise Clinic")
        self.assertContains(response, "Monday–Saturday")
        self.assertContains(response, "09:00–12:00")
        self.assertContains(response, "Geriatrics")
        self.assertContains(response, "Dr. Asha Rao")
        self.assertNotContains(response, "Dr. Gone Away")

    def test_it_has_landmarks_a_skip_link_and_only_local_assets(self):
        """Header, nav, main and footer; the skip link targets main; no CDN URL anywhere."""
        html = self.client.get(reverse("portal:home")).content.decode()
        for tag in ("<header", "<nav", '<main id="main"', "<footer"):
            self.assertIn(tag, html)
        self.assertIn('href="#main"', html)
        self.assertNotRegex(html, r"(src|href)=\"(https?:)?//")
        self.assertIn("/static/portal/vendor/bootstrap.min.css", html)
        self.assertIn("/static/portal/vendor/htmx.min.js", html)

    def test_the_vendored_assets_are_served(self):
        """Bootstrap and htmx come from this server (WhiteNoise finders in dev and tests)."""
        for name in ("bootstrap.min.css", "bootstrap.bundle.min.js", "htmx.min.js"):
            with self.subTest(name=name):
                response = self.client.get(f"/static/portal/vendor/{name}")
                self.assertEqual(response.status_code, 200)
                content = b"".join(response.streaming_content)
                self.assertGreater(len(content), 10_000)
                self.assertNotIn(b"sourceMappingURL", content)


class DoctorListTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.dr_kid = make_doctor(name="Dr. Kiran Kid", specialty="Pediatrics")

    def test_it_lists_every_active_doctor(self):
        response = self.client.get(reverse("portal:doctors"))
        self.assertContains(response, "Dr. Asha Rao")
        self.assertContains(response, "Dr. Kiran Kid")

    def test_it_filters_by_specialty(self):
        response = self.client.get(reverse("portal:doctors"), {"specialty": "Pediatrics"})
        self.assertContains(response, "Dr. Kiran Kid")
        self.assertNotContains(response, "Dr. Asha Rao")

    def test_it_searches_names(self):
        response = self.client.get(reverse("portal:doctors"), {"q": "asha"})
        self.assertContains(response, "Dr. Asha Rao")
        self.assertNotContains(response, "Dr. Kiran Kid")
        self.assertContains(response, "1 doctor matches your search")

    def test_an_unknown_specialty_is_a_form_error_not_a_crash(self):
        """The filter only offers existing specialties; anything else shows everyone."""
        response = self.client.get(reverse("portal:doctors"), {"specialty": "Astrology"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Dr. Kiran Kid")

    def test_the_query_count_stays_constant_as_doctors_grow(self):
        """Listing is one query for specialties and one for doctors, whatever their number."""
        self.client.get(reverse("portal:doctors"))  # warm up sessions and content types
        with self.assertNumQueries(2):
            self.client.get(reverse("portal:doctors"))
        for n in range(5):
            make_doctor(name=f"Dr. Extra {n}", specialty=f"Spec {n}")
        with self.assertNumQueries(2):
            response = self.client.get(reverse("portal:doctors"))
        self.assertContains(response, "Dr. Extra 4")


class DoctorDetailTests(PortalTestCase):
    def test_it_shows_the_doctor_and_only_days_with_free_slots(self):
        """Time off removes days; Sundays have no schedule."""
        TimeOff.objects.create(doctor=self.dr_rao, start_date=TUESDAY, end_date=TUESDAY)
        response = self.client.get(reverse("portal:doctor", args=[self.dr_rao.pk]))
        self.assertContains(response, "Dr. Asha Rao")
        days = response.context["free_days"]
        self.assertIn(TODAY, days)
        self.assertNotIn(TUESDAY, days)
        self.assertNotIn(TODAY + dt.timedelta(days=6), days)  # Sunday
        self.assertContains(response, f"?date={TODAY + dt.timedelta(days=2):%Y-%m-%d}")

    def test_an_unknown_or_inactive_doctor_is_a_404_page(self):
        gone = make_doctor(name="Dr. Gone", is_active=False)
        for doctor_id in (gone.pk, 999999):
            with self.subTest(doctor_id=doctor_id):
                response = self.client.get(reverse("portal:doctor", args=[doctor_id]))
                self.assertEqual(response.status_code, 404)
                self.assertContains(response, "could not find that page", status_code=404)
