"""Usernames are NFKC-normalised and unique whatever their letter case.

Full-width letters (`Ａｄｍｉｎ`) look like `Admin` and fold to it under NFKC;
without normalising first they made case twins of existing accounts.
"""

import time_machine
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from clinic.accounts.models import User
from clinic.api.tests.test_signup import URL as SIGNUP_URL
from clinic.api.tests.test_signup import seed_body
from clinic.testing import (
    FIXED_NOW,
    PASSWORD,
    BaseTestCase,
    api_client,
    make_user,
    send_json,
    verified_login,
)

FULL_WIDTH_ALICE = "ＡＬＩＣＥ"


class UsernameNormalisationTests(BaseTestCase):
    def setUp(self):
        self.admin = Client()
        verified_login(self.admin, self.staff)

    def test_the_model_stores_the_nfkc_form(self):
        user = make_user(username="Ｃａｒｏｌ", email="carol@example.com")
        user.refresh_from_db()
        self.assertEqual(user.username, "Carol")

    def test_the_database_refuses_a_case_twin(self):
        with self.assertRaises(IntegrityError):
            User.objects.create(username="ALICE", email="other@example.com")

    def test_signup_never_creates_a_twin_of_an_existing_username(self):
        """A full-width `ＡＬＩＣＥ` is taken (it is `alice`): a new name is generated."""
        response = send_json(
            api_client(),
            "POST",
            SIGNUP_URL,
            seed_body(user={"username": FULL_WIDTH_ALICE, "email": "carol@example.com"}),
        )
        self.assertEqual(response.status_code, 201, response.content)
        username = response.json()["DATA"]["user"]["username"]
        self.assertNotEqual(username.lower(), "alice")
        self.assertEqual(User.objects.filter(username__iexact="alice").count(), 1)

    def test_signup_stores_a_free_full_width_name_in_nfkc(self):
        response = send_json(
            api_client(),
            "POST",
            SIGNUP_URL,
            seed_body(user={"username": "Ｃａｒｏｌ", "email": "carol@example.com"}),
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["DATA"]["user"]["username"], "Carol")

    def test_the_admin_add_form_refuses_a_twin(self):
        response = self.admin.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "Ａｌｉｃｅ",
                "password1": "Fresh-Tulip-Lantern-42",
                "password2": "Fresh-Tulip-Lantern-42",
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already exists")
        self.assertEqual(User.objects.filter(username__iexact="alice").count(), 1)

    def test_the_admin_change_form_refuses_renaming_into_a_twin(self):
        url = reverse("admin:accounts_user_change", args=[self.bob.user.pk])
        page = self.admin.get(url)
        data = {
            key: value
            for key, value in page.context["adminform"].form.initial.items()
            if value is not None and key not in ("password", "groups", "user_permissions")
        }
        data.update(
            {
                "username": FULL_WIDTH_ALICE,
                "date_joined_0": "2030-01-01",
                "date_joined_1": "08:00:00",
                "last_login_0": "",
                "last_login_1": "",
            }
        )
        data.pop("date_joined", None)
        data.pop("last_login", None)
        response = self.admin.post(url, data)
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertContains(response, "already exists")
        self.bob.user.refresh_from_db()
        self.assertEqual(self.bob.user.username, "bob")

    def test_login_folds_full_width_and_case(self):
        """The login name is normalised the same way before the lookup."""
        response = send_json(
            api_client(),
            "POST",
            "/cms-api/login/",
            {"username": "Ａｌｉｃｅ", "password": PASSWORD},
        )
        self.assertEqual(response.status_code, 200, response.content)


@time_machine.travel(FIXED_NOW, tick=False)
class FullWidthDigitsTests(BaseTestCase):
    def test_a_full_width_slot_or_date_is_not_read(self):
        """`０９:３０ AM` and `２０３０-０１-０８` are not a slot and a date."""
        client = api_client(self.alice.user)
        for body, field in (
            ({"doc_id": self.dr_rao.pk, "date": "2030-01-08", "slot": "０９:３０ AM"}, "slot"),
            ({"doc_id": self.dr_rao.pk, "date": "２０３０-０１-０８", "slot": "09:30 AM"}, "date"),
        ):
            with self.subTest(field=field):
                response = send_json(client, "POST", "/cms-api/booking/", body)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json()["ERR"])
