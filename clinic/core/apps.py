from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from clinic.core import checks  # noqa: F401  (registers the deploy checks)
        from clinic.core.files import connect_file_cleanup
        from clinic.core.history import cache_history_managers

        connect_file_cleanup()
        cache_history_managers()
