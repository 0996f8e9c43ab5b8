"""The workspace's navigation and each role's main page.

A nav entry shows to the logins holding its permission. Adding a page to the
nav is one line here (and one row in clinic/workspace/tests/test_access.py).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from clinic.staff.roles import Role
from clinic.workspace.views.manage.hub import SECTION as MANAGE_SECTION

# The front desk's pages (clinic/workspace/views/desk/).
DESK_PAGES = ("workspace:desk", "workspace:desk_patient", "workspace:desk_walk_in",
              "workspace:desk_book", "workspace:desk_move", "workspace:desk_cancel")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None
    # URL names that light this entry up as the current section.
    section: tuple[str, ...] = ()


NAV: list[NavItem] = [
    NavItem("Home", "workspace:home", None),
    NavItem("Front desk", "workspace:desk", "appointments.add_appointment", section=DESK_PAGES),
    NavItem("Day board", "workspace:board", "appointments.view_appointment", ("workspace:board",)),
    NavItem("My day", "workspace:doctor_day", "records.add_consultation",
            ("workspace:room_visit", "workspace:room_patient")),
    NavItem("Lab queue", "workspace:lab_queue", "labs.change_labreport"),
    NavItem("Manage", "workspace:manager", "appointments.view_visit_reports", MANAGE_SECTION),
]

# The page each role starts on, in the order of precedence for a login with
# several roles. A page not (yet) in the URLconf is skipped.
ROLE_HOME: list[tuple[str, str]] = [
    (Role.DOCTOR, "workspace:doctor_day"),
    (Role.FRONT_DESK, "workspace:desk"),
    (Role.LAB, "workspace:lab_queue"),
    (Role.MANAGER, "workspace:manager"),
]


def nav_for(request) -> list[dict]:
    user, current = request.user, getattr(request.resolver_match, "view_name", "")
    items = []
    for item in NAV:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current == item.url_name or current in item.section
        items.append(
            {"label": item.label, "url": url, "url_name": item.url_name, "active": active}
        )
    return items


def home_url_for(roles) -> str | None:
    """The main page of the first of `roles` that has one."""
    for role, url_name in ROLE_HOME:
        if role in roles:
            try:
                return reverse(url_name)
            except NoReverseMatch:
                continue
    return None
