"""The manager's pages, mounted at /clinic/manage/ in the workspace's namespace."""

from django.urls import path

from clinic.workspace.views.manage import catalogue, hub, reports, schedules, staff

urlpatterns = [
    path("", hub.manager, name="manager"),
    path("reports/", reports.reports, name="manage_reports"),
    path("reports/<slug:name>.csv", reports.reports_csv, name="manage_reports_csv"),
    # Staff accounts
    path("staff/", staff.staff_list, name="manage_staff"),
    path("staff/new/", staff.staff_new, name="manage_staff_new"),
    path("staff/<int:user_id>/", staff.staff_edit, name="manage_staff_edit"),
    path("staff/<int:user_id>/active/", staff.staff_active, name="manage_staff_active"),
    path("staff/<int:user_id>/reset-two-step/", staff.staff_reset_two_step,
         name="manage_staff_reset_two_step"),
    # Doctors' weeks
    path("sessions/", schedules.sessions, name="manage_sessions"),
    path("sessions/new/", schedules.session_new, name="manage_session_new"),
    path("sessions/<int:session_id>/", schedules.session_edit, name="manage_session_edit"),
    path("time-off/new/", schedules.time_off_new, name="manage_time_off_new"),
    path("time-off/<int:time_off_id>/", schedules.time_off_edit, name="manage_time_off_edit"),
    # The catalogue
    path("visit-types/", catalogue.visit_types, name="manage_visit_types"),
    path("visit-types/new/", catalogue.visit_type_new, name="manage_visit_type_new"),
    path("visit-types/<int:visit_type_id>/", catalogue.visit_type_edit,
         name="manage_visit_type_edit"),
    path("sites/", catalogue.sites, name="manage_sites"),
    path("sites/new/", catalogue.site_new, name="manage_site_new"),
    path("sites/<int:location_id>/", catalogue.site_edit, name="manage_site_edit"),
]
