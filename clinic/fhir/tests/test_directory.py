"""The clinic's directory: Practitioner, PractitionerRole, Location, Schedule."""

from clinic.doctors.models import Location, WeeklySchedule
from clinic.fhir.tests.base import FhirTestCase
from clinic.testing import make_doctor


class DirectoryTests(FhirTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.annex = Location.objects.create(
            name="North Annex", address="4 Lake Road", phone="080 1"
        )
        cls.dr_iyer = make_doctor(name="Dr. Vikram Iyer", specialty="Dermatology", schedule=False)
        WeeklySchedule.objects.create(doctor=cls.dr_iyer, location=cls.annex, weekday=2,
                                      start="14:00", end="17:00", slot_minutes=20)
        cls.dr_gone = make_doctor(name="Dr. Old Timer", is_active=False)

    def test_every_patient_reads_the_directory(self):
        user = self.bob.user
        paths = (
            f"/fhir/Practitioner/{self.dr_rao.pk}", f"/fhir/PractitionerRole/{self.dr_iyer.pk}",
            f"/fhir/Location/{self.annex.pk}", f"/fhir/Schedule/{self.dr_iyer.pk}",
            "/fhir/Practitioner", "/fhir/PractitionerRole", "/fhir/Location", "/fhir/Schedule",
        )
        for path in paths:
            with self.subTest(path=path):
                self.get_ok(path, user=user)

    def test_practitioner_maps_the_name_and_search_by_name(self):
        body = self.get_ok(f"/fhir/Practitioner/{self.dr_rao.pk}", user=self.bob.user)
        self.assertEqual(body["name"][0]["family"], "Rao")
        self.assertEqual(body["name"][0]["given"], ["Asha"])
        self.assertEqual(body["name"][0]["prefix"], ["Dr."])
        for query, expected in {"name=vik": [self.dr_iyer], "name=Iyer": [self.dr_iyer],
                                "name=ra": [self.dr_rao], "name:exact=Dr. Asha Rao": [self.dr_rao],
                                "name=nobody": []}.items():
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/Practitioner?{query}", user=self.bob.user)
                self.assertEqual(self.ids(bundle), [str(d.pk) for d in expected])

    def test_an_inactive_doctor_stays_readable_as_inactive(self):
        body = self.get_ok(f"/fhir/Practitioner/{self.dr_gone.pk}", user=self.bob.user)
        self.assertIs(body["active"], False)

    def test_practitioner_role_has_the_specialty_and_sites(self):
        body = self.get_ok(f"/fhir/PractitionerRole/{self.dr_iyer.pk}", user=self.bob.user)
        self.assertEqual(body["practitioner"]["reference"], f"Practitioner/{self.dr_iyer.pk}")
        self.assertEqual(body["specialty"][0]["text"], "Dermatology")
        self.assertEqual(body["location"], [{"reference": f"Location/{self.annex.pk}"}])
        self.assertEqual(body["availableTime"][0]["daysOfWeek"], ["wed"])
        for query, expected in {
            "specialty=dermatology": [self.dr_iyer],
            "specialty=urn:cms:specialty|Cardiology": [self.dr_rao],
            "specialty=other|Cardiology": [],
            f"practitioner=Practitioner/{self.dr_rao.pk}": [self.dr_rao],
            f"practitioner={self.dr_iyer.pk}": [self.dr_iyer],
            f"practitioner=Location/{self.dr_iyer.pk}": [],
        }.items():
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/PractitionerRole?{query}", user=self.bob.user)
                self.assertEqual(self.ids(bundle), [str(d.pk) for d in expected])

    def test_schedule_search_by_actor(self):
        for query, expected in {
            f"actor=Practitioner/{self.dr_iyer.pk}": [self.dr_iyer],
            f"actor=PractitionerRole/{self.dr_rao.pk}": [self.dr_rao],
            f"actor=Location/{self.annex.pk}": [self.dr_iyer],
            f"actor:Location={self.annex.pk}": [self.dr_iyer],
            f"actor={self.dr_rao.pk}": [self.dr_rao],
            "actor=Patient/1": [],
        }.items():
            with self.subTest(query=query):
                bundle = self.get_ok(f"/fhir/Schedule?{query}", user=self.bob.user)
                self.assertEqual(self.ids(bundle), [str(d.pk) for d in expected])

    def test_location_lists_the_sites(self):
        bundle = self.get_ok("/fhir/Location", user=self.bob.user)
        sites = {str(pk) for pk in Location.objects.values_list("pk", flat=True)}
        self.assertEqual(set(self.ids(bundle)), sites)
        body = self.get_ok(f"/fhir/Location/{self.annex.pk}", user=self.bob.user)
        self.assertEqual(body["address"]["text"], "4 Lake Road")

    def test_query_counts_do_not_grow_with_doctors(self):
        client = self.client
        client.force_login(self.bob.user)
        paths = ["/fhir/Practitioner", "/fhir/PractitionerRole", "/fhir/Schedule", "/fhir/Location"]
        before = {path: self.query_count(client, path) for path in paths}
        for n in range(5):
            make_doctor(name=f"Dr. More {n}")
        for path in paths:
            with self.subTest(path=path), self.assertNumQueries(before[path]):
                client.get(path)
