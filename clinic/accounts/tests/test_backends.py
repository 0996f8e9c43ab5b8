from django.contrib.auth import authenticate

from clinic.testing import PASSWORD, BaseTestCase


class EmailOrUsernameBackendTests(BaseTestCase):
    def test_it_accepts_the_username(self):
        self.assertEqual(authenticate(username="alice", password=PASSWORD), self.alice.user)

    def test_it_accepts_the_email_in_any_case(self):
        self.assertEqual(
            authenticate(username="ALICE@example.com", password=PASSWORD), self.alice.user
        )

    def test_it_refuses_a_wrong_password_or_unknown_login(self):
        self.assertIsNone(authenticate(username="alice", password="wrong"))
        self.assertIsNone(authenticate(username="nobody@example.com", password=PASSWORD))

    def test_it_refuses_inactive_accounts(self):
        self.alice.user.is_active = False
        self.alice.user.save()
        self.assertIsNone(authenticate(username="alice", password=PASSWORD))
