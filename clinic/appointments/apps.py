from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "clinic.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self):
        # Its messages and events, registered with the notifications layer below it.
        from clinic.appointments import notifications

        notifications.register()
