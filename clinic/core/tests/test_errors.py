from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from clinic.core.errors import InvalidInput


class InvalidInputTests(SimpleTestCase):
    def test_the_field_list_holds_the_bare_message(self):
        """The message names the field for humans; FIELDS does not repeat the name."""
        error = InvalidInput("date: Cannot book a date in the past.", field="date")
        self.assertEqual(error.message, "date: Cannot book a date in the past.")
        self.assertEqual(error.fields, {"date": ["Cannot book a date in the past."]})

    def test_it_wraps_django_validation_errors_naming_the_first_field(self):
        error = InvalidInput.from_django(
            ValidationError({"phone": ["Must be 10 digits."], "dob": ["In the future."]}),
        )
        self.assertEqual(error.message, "phone: Must be 10 digits.")
        self.assertEqual(error.fields["dob"], ["In the future."])
