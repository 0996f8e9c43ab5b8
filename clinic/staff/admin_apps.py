from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """Django's admin, for verified superusers only (clinic.staff.admin_site)."""

    default_site = "clinic.staff.admin_site.ClinicAdminSite"
