from django.test import SimpleTestCase

from clinic.core.errors import Conflict, InvalidInput
from clinic.portal.errors import user_message


class UserMessageTests(SimpleTestCase):
    def test_it_drops_the_api_field_prefix(self):
        for raw, shown in (
            ("otp: The code is wrong or has expired.", "The code is wrong or has expired."),
            ("reset_token: This reset link is invalid.", "This reset link is invalid."),
            ("booking-ids: Give at least one booking id.", "Give at least one booking id."),
        ):
            with self.subTest(raw=raw):
                self.assertEqual(user_message(InvalidInput(raw)), shown)

    def test_a_message_without_a_field_is_kept_whole(self):
        for raw in ("Note: bring your reports.", "This slot has just been taken."):
            with self.subTest(raw=raw):
                self.assertEqual(user_message(Conflict(raw)), raw)
