"""Who is clinic staff, in which roles, linked to which doctor."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet

from clinic.staff.roles import Role, role_of_group


def staff_groups_queryset() -> QuerySet[Group]:
    """The role groups only, for prefetching a user's roles."""
    return Group.objects.filter(name__in=[role.label for role in Role]).order_by("name")


def staff_roles_of(user) -> list[str]:
    """The user's roles (Role values), from prefetched groups when there are any.

    Cached on the user for the rest of the request.
    """
    cached = getattr(user, "_staff_roles", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            return []
        # Prefetched groups cost nothing here; otherwise one query.
        names = [g.name for g in user.groups.all()]
        cached = [r for r in (role_of_group(n) for n in names) if r]
        cached.sort(key=list(Role).index)
        user._staff_roles = cached
    return cached


def role_labels(roles: list[str]) -> str:
    """'Doctor, Manager' for display."""
    return ", ".join(Role(r).label for r in roles)


def staff_accounts() -> QuerySet:
    """Every staff account with its roles and doctor, for the manager's list."""
    return (
        get_user_model()
        .objects.filter(is_staff=True)
        .select_related("doctor")
        .prefetch_related(Prefetch("groups", queryset=staff_groups_queryset()))
        .order_by("-is_active", "first_name", "last_name", "username")
    )


def doctor_of(user):
    """The Doctor linked to the login, or None."""
    from clinic.doctors.models import Doctor

    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.doctor
    except Doctor.DoesNotExist:
        return None
