"""The test cast and helpers shared by every app's tests.

alice and bob are patients, dr_rao a doctor with the default week, staff a
clinic employee with admin access. Time is frozen per test with time_machine
where it matters; FIXED_NOW is a Monday morning in the clinic.
"""

import datetime as dt
import itertools
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test import TestCase
from rest_framework.test import APIClient

from clinic.accounts.models import User
from clinic.accounts.services import token_for
from clinic.doctors.models import Doctor
from clinic.doctors.services import doctor_schedule_default
from clinic.patients.models import Patient

_seq = itertools.count(1)
PASSWORD = "Corr3ct-Horse-Battery"
# Monday 2030-01-07, 08:00 in the clinic.
FIXED_NOW = dt.datetime(2030, 1, 7, 8, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def make_user(*, username=None, email=None, password=PASSWORD, **extra) -> User:
    n = next(_seq)
    username = username or f"user{n}"
    user = User(username=username, email=email or f"{username}@example.com", **extra)
    user.set_password(password)
    user.save()
    return user


def make_patient(*, first_name="Pat", last_name="Ient", phone=None, **extra) -> Patient:
    user = make_user(first_name=first_name, last_name=last_name, **extra)
    return Patient.objects.create(
        user=user,
        given_name=first_name,
        family_name=last_name,
        email=user.email,
        gender="Female",
        dob=dt.date(1990, 5, 17),
        address="1 Test Street",
        phone=phone or f"98{next(_seq):08d}",
    )


def make_doctor(*, name=None, specialty="General Medicine", schedule=True, **extra) -> Doctor:
    doctor = Doctor.objects.create(
        name=name or f"Dr. Test {next(_seq)}",
        gender="Male",
        birth_date=dt.date(1975, 3, 1),
        experience_years=15,
        specialty=specialty,
        office_number="101",
        **extra,
    )
    if schedule:
        doctor_schedule_default(doctor=doctor)
    return doctor


def make_staff(*roles: str, doctor: Doctor | None = None, **extra) -> User:
    """A staff login in `roles` (clinic.staff.roles.Role values), linked to `doctor` if given."""
    from django.contrib.auth.models import Group

    from clinic.staff.roles import Role
    from clinic.staff.services import roles_sync

    if Group.objects.filter(name__in=Role.labels).count() < len(Role.labels):
        roles_sync()  # a TransactionTestCase emptied the groups the migrations made
    user = make_user(is_staff=True, **extra)
    user.groups.set(Group.objects.filter(name__in=[Role(r).label for r in roles]))
    if doctor is not None:
        doctor.user = user
        doctor.save(update_fields=["user"])
    return user


def verified_login(client, user):
    """Log `client` in as `user`, verified by a confirmed authenticator (made if missing),
    as the staff sign-in leaves a session (clinic.staff.signin)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test device", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_now(device, *, offset_steps: int = 0) -> str:
    """The device's current 6-digit code (as the authenticator app shows it)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user=user)}")
    return client


def token_client(token: str) -> APIClient:
    """An API client that sends `token` (one a test got from a login)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def send_json(client, method: str, path: str, body=None, **extra):
    """Send `body` as JSON with any method (GET and DELETE with a body, as the seed does)."""
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method.lower())(
        path, data=data, content_type="application/json", **extra
    )


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_patient(first_name="Alice", last_name="Adams", username="alice")
        cls.bob = make_patient(first_name="Bob", last_name="Brown", username="bob")
        cls.dr_rao = make_doctor(name="Dr. Asha Rao", specialty="Cardiology")
        cls.staff = make_user(username="staff", is_staff=True, is_superuser=True)


def fast_password_hashers():
    return ["django.contrib.auth.hashers.MD5PasswordHasher"]


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def doctor_account(doctor: Doctor) -> User:
    """The doctor's staff login, created on first use (releasing a lab report needs one)."""
    if doctor.user_id is None:
        doctor.user = make_user(is_staff=True)
        doctor.save(update_fields=["user"])
    return doctor.user


def lab_report_released(report, upload, *, actor=None):
    """Attach `upload` as the lab's result and release it as the ordering doctor."""
    from clinic.labs.services import lab_report_attach, lab_report_release

    lab_report_attach(report=report, upload=upload, actor=actor)
    return lab_report_release(report=report, actor=doctor_account(report.doctor))
