"""The manager's pages, mounted at /clinic/manage/ in the workspace's namespace."""

from django.urls import path

from clinic.workspace.views.manage import hub, reports

urlpatterns = [
    path("", hub.manager, name="manager"),
    path("reports/", reports.reports, name="manage_reports"),
    path("reports/<slug:name>.csv", reports.reports_csv, name="manage_reports_csv"),
]
