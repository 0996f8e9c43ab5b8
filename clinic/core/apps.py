from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from clinic.core import checks  # noqa: F401  (registers the deploy checks)
        from clinic.core.files import connect_file_cleanup

        connect_file_cleanup()
