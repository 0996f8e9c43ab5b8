from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "clinic.labs"
    label = "labs"
    verbose_name = "Lab reports"

    def ready(self):
        # Its messages and events, registered with the notifications layer below it.
        from clinic.labs import notifications

        notifications.register()
