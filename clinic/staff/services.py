"""Staff accounts: create, change roles, link a doctor, deactivate, reset the second factor.

Every staff member has a personal login (is_staff) in one or more role groups
(clinic.staff.roles). A doctor's login is linked to their Doctor. The manager's
pages and the demo loader call these; each change is audited.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import normalize_login
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput
from clinic.doctors.models import Doctor
from clinic.staff.roles import ROLE_PERMISSIONS, Role


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise InvalidInput(f"Unknown role: {unknown[0]}.", field="roles")
    if not roles:
        raise InvalidInput("Choose at least one role.", field="roles")
    return roles


def _check_doctor_link(*, user, roles: list[str], doctor: Doctor | None) -> None:
    if Role.DOCTOR in roles and doctor is None:
        raise InvalidInput("A doctor's login must be linked to their doctor.", field="doctor")
    if doctor is not None and Role.DOCTOR not in roles:
        raise InvalidInput("Only a login with the doctor role is linked to a doctor.",
                           field="doctor")
    if doctor is not None and doctor.user_id not in (None, getattr(user, "pk", None)):
        raise InvalidInput(f"{doctor.name} already has a login.", field="doctor")


def _set_groups(user, roles: list[str]) -> None:
    groups = list(Group.objects.filter(name__in=[Role(r).label for r in roles]))
    if len(groups) != len(roles):
        # The groups come from migrations; missing ones mean an unmigrated database.
        raise InvalidInput("A role group is missing: run the migrations.", field="roles")
    others = user.groups.exclude(name__in=[Role(r).label for r in Role])
    user.groups.set([*others, *groups])


def _link_doctor(user, doctor: Doctor | None) -> None:
    Doctor.objects.filter(user=user).exclude(pk=getattr(doctor, "pk", None)).update(user=None)
    if doctor is not None and doctor.user_id != user.pk:
        doctor.user = user
        doctor.save(update_fields=["user", "updated_at"])


def _validate_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    password: str,
    doctor: Doctor | None = None,
):
    """A new staff login in `roles`, with a first password the manager hands over.

    At its first sign-in it sets up its authenticator app (clinic.staff.signin).
    """
    User = get_user_model()
    username, email = normalize_login(username), normalize_login(email).lower()
    if not username:
        raise InvalidInput("Enter a username.", field="username")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.", field="email") from None
    roles = _clean_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput("That username is taken.", field="username")
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput("Another account uses that email address.", field="email")
    user = User(username=username, email=email, first_name=first_name.strip(),
                last_name=last_name.strip(), is_staff=True)
    _validate_password(password, user)
    _check_doctor_link(user=None, roles=roles, doctor=doctor)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a twin created at the same moment
        raise InvalidInput("That username or email is taken.", field="username") from None
    _set_groups(user, roles)
    _link_doctor(user, doctor)
    audit_log(actor=actor, action="staff.created", obj=user, roles=roles,
              doctor=getattr(doctor, "pk", None))
    return user


@transaction.atomic
def staff_update(*, actor, user, roles: Iterable[str], doctor: Doctor | None = None,
                 first_name: str | None = None, last_name: str | None = None):
    """Change a staff login's roles, its doctor link and its name."""
    if not user.is_staff:
        raise InvalidInput("That account is not a staff account.")
    roles = _clean_roles(roles)
    if actor.pk == user.pk and Role.MANAGER not in roles and not user.is_superuser:
        raise InvalidInput("You cannot take the manager role from yourself.", field="roles")
    _check_doctor_link(user=user, roles=roles, doctor=doctor)
    if first_name is not None:
        user.first_name = first_name.strip()
    if last_name is not None:
        user.last_name = last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    _set_groups(user, roles)
    _link_doctor(user, doctor)
    audit_log(actor=actor, action="staff.updated", obj=user, roles=roles,
              doctor=getattr(doctor, "pk", None))
    return user


@transaction.atomic
def staff_set_active(*, actor, user, active: bool):
    """Deactivate (its sessions end at their next request) or reactivate a staff login."""
    if not user.is_staff:
        raise InvalidInput("That account is not a staff account.")
    if actor.pk == user.pk and not active:
        raise InvalidInput("You cannot deactivate your own account.")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_log(actor=actor, action="staff.activated" if active else "staff.deactivated",
                  obj=user)
    return user


@transaction.atomic
def staff_reset_second_factor(*, actor, user) -> int:
    """Forget the login's authenticator: its sessions lose their verification at once,
    and the next sign-in sets up a new one. Returns how many devices were removed."""
    if not user.is_staff:
        raise InvalidInput("That account is not a staff account.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_log(actor=actor, action="staff.second_factor_reset", obj=user)
    return removed


def roles_sync() -> None:
    """Make the role groups hold exactly the permissions of clinic.staff.roles.

    The migrations do this for a database; tests that empty their tables between
    runs (TransactionTestCase, the browser tests) call it to get the groups back.
    """
    from django.contrib.auth.models import Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        wanted = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (perm.split(".") for perm in sorted(perms))
        ]
        group.permissions.set(wanted)
