from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "clinic.staff"
    label = "staff"
    verbose_name = "Clinic staff"

    def ready(self):
        from clinic.staff import receivers  # noqa: F401  (connects the login stamp)
