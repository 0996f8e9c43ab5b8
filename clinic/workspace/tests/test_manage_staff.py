"""The manager's staff account pages: list, create, change roles and doctor link,
deactivate, reset two-step sign-in (rules: clinic.staff.services). Who may: test_access."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.models import AuditEvent
from clinic.staff.roles import Role
from clinic.staff.selectors import staff_roles_of
from clinic.testing import make_doctor, make_patient, make_staff, verified_login

pytestmark = pytest.mark.django_db
User = get_user_model()
LIST = reverse("workspace:manage_staff")
NEW = reverse("workspace:manage_staff_new")


def edit_url(user):
    return reverse("workspace:manage_staff_edit", args=[user.pk])


@pytest.fixture
def manager(client):
    user = make_staff(Role.MANAGER, first_name="Maya", last_name="Manager")
    verified_login(client, user)
    return user


def new_account(**changes):
    data = {"username": "rekha", "email": "rekha@clinic.example", "first_name": "Rekha",
            "last_name": "Nair", "roles": [Role.FRONT_DESK], "password": "Desk-Password-2026"}
    return {**data, **changes}


def test_the_list_shows_roles_doctor_and_two_step_state(client, manager):
    doctor = make_doctor(name="Dr. Asha Rao")
    asha = make_staff(Role.DOCTOR, doctor=doctor, first_name="Asha", last_name="Rao")
    TOTPDevice.objects.create(user=asha, name="phone", confirmed=True)
    make_patient(first_name="Not", last_name="Staff")
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Asha Rao" in html and "Dr. Asha Rao" in html and "Set up" in html
    assert "Not Staff" not in html  # patients are no staff accounts
    assert "pbkdf2" not in html and "md5$" not in html


def test_the_list_costs_the_same_for_many_accounts(client, manager):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    few = count()
    for n in range(8):
        make_staff(Role.DOCTOR, doctor=make_doctor(), username=f"doc{n}")
    assert count() == few


def test_a_manager_creates_a_doctor_login_linked_to_the_doctor(client, manager):
    doctor = make_doctor(name="Dr. Vik Iyer")
    response = client.post(NEW, new_account(username="vik", email="vik@clinic.example",
                                            roles=[Role.DOCTOR], doctor=doctor.pk))
    assert response.status_code == 302
    user = User.objects.get(username="vik")
    assert user.is_staff and user.check_password("Desk-Password-2026")
    assert staff_roles_of(user) == [Role.DOCTOR]
    doctor.refresh_from_db()
    assert doctor.user == user
    assert AuditEvent.objects.filter(action="staff.created", object_id=str(user.pk)).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()  # set up at the first sign-in


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"roles": []}, "This field is required."),
        ({"roles": ["janitor"]}, "Select a valid choice."),
        ({"roles": [Role.DOCTOR]}, "A doctor&#x27;s login must be linked to their doctor."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": "maya-taken"}, "That username is taken."),
        ({"password": "Qx7Qx7"}, "This password is too short."),
    ],
)
def test_bad_input_creates_nothing_and_says_why(client, manager, changes, field_message):
    make_staff(Role.LAB, username="maya-taken")
    before = User.objects.count()
    response = client.post(NEW, new_account(**changes))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert User.objects.count() == before
    # The password typed is never sent back.
    assert (changes.get("password") or "Desk-Password-2026") not in response.content.decode()


def test_a_doctor_with_a_login_cannot_get_a_second(client, manager):
    doctor = make_doctor(name="Dr. Taken")
    make_staff(Role.DOCTOR, doctor=doctor)
    response = client.post(NEW, new_account(roles=[Role.DOCTOR], doctor=doctor.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # not offered at all


def test_a_manager_changes_roles_and_name(client, manager):
    user = make_staff(Role.FRONT_DESK, first_name="Rekha")
    response = client.get(edit_url(user))
    assert response.status_code == 200
    response = client.post(edit_url(user), {"first_name": "Rekha", "last_name": "N",
                                            "roles": [Role.FRONT_DESK, Role.LAB]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == "N"
    assert staff_roles_of(User.objects.get(pk=user.pk)) == [Role.FRONT_DESK, Role.LAB]


def test_a_manager_cannot_drop_their_own_manager_role(client, manager):
    response = client.post(edit_url(manager), {"first_name": "Maya", "roles": [Role.LAB]})
    assert response.status_code == 400
    assert "You cannot take the manager role from yourself." in response.content.decode()
    assert staff_roles_of(User.objects.get(pk=manager.pk)) == [Role.MANAGER]


def test_deactivate_and_reactivate(client, manager):
    user = make_staff(Role.LAB)
    url = reverse("workspace:manage_staff_active", args=[user.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert User.objects.filter(pk=user.pk).exists()  # never deleted
    assert client.post(url, {"active": "1"}).status_code == 302
    user.refresh_from_db()
    assert user.is_active is True
    client.post(url, {"active": "maybe"})
    user.refresh_from_db()
    assert user.is_active is True
    assert client.get(url).status_code == 405


def test_a_manager_cannot_deactivate_themselves(client, manager):
    url = reverse("workspace:manage_staff_active", args=[manager.pk])
    response = client.post(url, {"active": "0"}, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active is True


def test_reset_two_step_sign_in(client, manager):
    user = make_staff(Role.LAB)
    TOTPDevice.objects.create(user=user, name="old phone", confirmed=True)
    response = client.post(reverse("workspace:manage_staff_reset_two_step", args=[user.pk]),
                           follow=True)
    assert "sets up two-step sign-in again" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="staff.second_factor_reset").exists()


def test_a_patient_login_is_no_staff_account_here(client, manager):
    patient = make_patient()
    assert client.get(edit_url(patient.user)).status_code == 404
    url = reverse("workspace:manage_staff_active", args=[patient.user.pk])
    assert client.post(url, {"active": "0"}).status_code == 404
    patient.user.refresh_from_db()
    assert patient.user.is_active is True
