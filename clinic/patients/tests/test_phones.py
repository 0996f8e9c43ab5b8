"""Phones: read in the clinic's region, stored in E.164, never stored as they came."""

from django.test import SimpleTestCase, override_settings

from clinic.api.tests.base import ApiTestCase
from clinic.api.tests.test_signup import seed_body
from clinic.core.errors import InvalidInput
from clinic.patients.models import Patient
from clinic.patients.phones import phone_parse

FULL_WIDTH = "９８７６５４３２１１"  # 9876543211 in full-width digits
DEVANAGARI = "९८७६५४३२११"


class PhoneParseTests(SimpleTestCase):
    def test_it_reads_national_and_international_forms(self):
        """Ten national digits, with separators or a country code, are one E.164 number."""
        for raw in ["9876543211", "98765 43211", "98765-43211", "+91 98765 43211", "09876543211"]:
            with self.subTest(raw=raw):
                self.assertEqual(str(phone_parse(raw)), "+919876543211")

    def test_it_reads_digits_of_other_scripts_as_ascii(self):
        """Full-width and Devanagari digits become the ASCII number they spell."""
        for raw in [FULL_WIDTH, DEVANAGARI]:
            with self.subTest(raw=raw):
                stored = str(phone_parse(raw))
                self.assertEqual(stored, "+919876543211")
                self.assertIs(stored.isascii(), True)

    def test_it_refuses_what_is_not_a_number_of_the_region(self):
        """Too short, too long, letters, another country's number and non-strings."""
        for raw in [
            "12345",
            "98765432100",
            "98765abcde",
            "5555555555",
            "+14155552671",
            "",
            "   ",
            None,
            9876543211,
            "９８７６５abcde",
        ]:
            with (
                self.subTest(raw=raw),
                self.assertRaisesMessage(InvalidInput, "phone: Enter a valid phone number."),
            ):
                phone_parse(raw)

    @override_settings(PHONE_REGION="GB")
    def test_the_region_is_a_setting(self):
        """National numbers are read in settings.PHONE_REGION."""
        self.assertEqual(str(phone_parse("020 7946 0018")), "+442079460018")
        with self.assertRaises(InvalidInput):
            phone_parse("9876543211")


class ApiPhoneTests(ApiTestCase):
    def test_signup_stores_e164_and_answers_the_national_digits(self):
        """The seed's ten digits go in and come out; the database holds E.164."""
        response = self.call("POST", "/cms-api/signup/", seed_body(phone="98765 43211"))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["DATA"]["phone"], "9876543211")
        patient = Patient.objects.get(user__username="carol")
        self.assertEqual(str(patient.phone), "+919876543211")

    def test_full_width_digits_are_never_stored_as_they_came(self):
        """Issue 14: a full-width phone was stored as typed; now it is the ASCII number."""
        response = self.call("POST", "/cms-api/signup/", seed_body(phone=FULL_WIDTH))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["DATA"]["phone"], "9876543211")
        stored = Patient.objects.filter(user__username="carol").values_list("phone", flat=True)
        self.assertEqual([str(p) for p in stored], ["+919876543211"])

    def test_patch_normalises_full_width_digits(self):
        response = self.call(
            "PATCH", "/cms-api/patient/", {"phone": FULL_WIDTH}, user=self.alice.user
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["phone"], "9876543211")
        self.alice.refresh_from_db()
        self.assertEqual(str(self.alice.phone), "+919876543211")

    def test_a_number_not_valid_for_the_region_is_a_400_and_changes_nothing(self):
        before = str(self.alice.phone)
        for phone in ["5555555555", "+14155552671", "98765abcde"]:
            with self.subTest(phone=phone):
                response = self.call(
                    "PATCH",
                    "/cms-api/patient/",
                    {"phone": phone, "address": "Elsewhere"},
                    user=self.alice.user,
                )
                self.assertError(response, 400, "phone")
        self.alice.refresh_from_db()
        self.assertEqual((str(self.alice.phone), self.alice.address), (before, "1 Test Street"))

    def test_the_profile_answers_the_national_digits(self):
        response = self.call("GET", "/cms-api/patient/", user=self.alice.user)
        self.assertEqual(response.json()["phone"], self.alice.phone_national)
        self.assertRegex(response.json()["phone"], r"^[0-9]{10}$")
