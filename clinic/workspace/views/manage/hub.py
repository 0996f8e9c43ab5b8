"""The manager's start page: the manager's pages, each shown to the logins that may open it."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from clinic.workspace.decorators import staff_view

# (label, URL name, permission, what it is for, URL names that belong to it)
PAGES = [
    ("Reports", "workspace:manage_reports", "appointments.view_visit_reports",
     "Visits per doctor and day, no-show rate, average wait and booking lead time.",
     ("workspace:manage_reports",)),
    ("Staff accounts", "workspace:manage_staff", "accounts.view_user",
     "Personal logins, their roles, deactivation and two-step sign-in resets.",
     ("workspace:manage_staff", "workspace:manage_staff_new", "workspace:manage_staff_edit",
      "workspace:manage_staff_active", "workspace:manage_staff_reset_two_step")),
    ("Sessions and time off", "workspace:manage_sessions", "doctors.view_weeklyschedule",
     "Each doctor's weekly consulting sessions and days off.",
     ("workspace:manage_sessions", "workspace:manage_session_new",
      "workspace:manage_session_edit", "workspace:manage_time_off_new",
      "workspace:manage_time_off_edit")),
    ("Visit types", "workspace:manage_visit_types", "appointments.view_visittype",
     "What visits are for and how long they take.",
     ("workspace:manage_visit_types", "workspace:manage_visit_type_new",
      "workspace:manage_visit_type_edit")),
    ("Sites", "workspace:manage_sites", "doctors.view_location",
     "The places where doctors hold their sessions.",
     ("workspace:manage_sites", "workspace:manage_site_new", "workspace:manage_site_edit")),
]

# Every name above, for the workspace nav's "Manage" entry.
SECTION = ("workspace:manager", *(name for page in PAGES for name in page[4]))


def pages_for(user, current: str = "") -> list[dict]:
    pages = []
    for label, url_name, permission, about, section in PAGES:
        if not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a page not built yet
            continue
        pages.append({"label": label, "url": url, "about": about, "active": current in section})
    return pages


@staff_view("appointments.view_visit_reports")
def manager(request):
    return render(request, "workspace/manage/hub.html")
