from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from clinic.records.icd10 import icd10_normalise, validate_icd10


class Icd10Tests(SimpleTestCase):
    def test_it_normalises_codes_to_one_stored_form(self):
        """Upper case, a dot after the category, full-width input folded to ASCII."""
        cases = {
            "J06.9": "J06.9",
            " j06.9 ": "J06.9",
            "j069": "J06.9",
            "I10": "I10",
            "c4a.0": "C4A.0",
            "S52.521A": "S52.521A",
            "Ｊ０６．９": "J06.9",
            "": "",
            None: "",
        }
        for raw, stored in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(icd10_normalise(raw), stored)

    def test_it_refuses_what_is_not_a_code(self):
        bad = [
            "J6.9",
            "06.9",
            "J06.",
            "J06..9",
            "J06.12345",
            "J0",
            "JJ6.9",
            "J06-9",
            "J06 9",
            "J06.9;",
            "Flu",
            "J٠٦.9",
            "J06.9\n1",
        ]
        for raw in bad:
            with self.subTest(raw=raw), self.assertRaises(ValidationError):
                icd10_normalise(raw)

    def test_the_model_validator_wants_the_stored_form(self):
        validate_icd10("J06.9")
        validate_icd10("")
        for raw in ["j06.9", "J069"]:
            with self.subTest(raw=raw), self.assertRaises(ValidationError):
                validate_icd10(raw)
