"""The demo clinic's staff: one login per role, each with an authenticator already set up.

Demo only. Every demo staff login (and the demo admin) has a TOTP device on the
published DEMO_TOTP_SECRET, so anyone trying the demo can sign in: add the secret
to an authenticator app, or print the current code with `manage.py demo_code`.
Real staff set up their own authenticator at their first sign-in.
"""

from base64 import b32decode

from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.roles import Role
from clinic.staff.services import staff_create

# Published in the README: it protects nothing but the demo.
DEMO_TOTP_SECRET = "CMSDEMOTOTPSECRETCMSDEMOTOTPSECR"
DEMO_DOCTOR = "Dr. Meera Pillai"  # the same-day clinic: a visit today in every state

# username, password, first, last, role
STAFF = [
    ("frontdesk", "frontdesk-Clinic-2026", "Rekha", "Nair", Role.FRONT_DESK),
    ("doctor", "doctor-Clinic-2026", "Meera", "Pillai", Role.DOCTOR),
    ("lab", "lab-Clinic-2026", "Suresh", "Babu", Role.LAB),
    ("manager", "manager-Clinic-2026", "Anita", "Desai", Role.MANAGER),
]


def demo_device(user) -> TOTPDevice:
    """The user's authenticator on the demo secret."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    return TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key,
                                     confirmed=True)


def seed_staff(*, admin, doctors: dict, email_domain: str) -> list:
    users = []
    for username, password, first, last, role in STAFF:
        user = staff_create(
            actor=admin, username=username, email=f"{username}@{email_domain}",
            first_name=first, last_name=last, roles=[role], password=password,
            doctor=doctors[DEMO_DOCTOR] if role == Role.DOCTOR else None,
        )
        demo_device(user)
        users.append(user)
    return users
