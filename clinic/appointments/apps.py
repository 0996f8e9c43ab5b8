from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "clinic.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self):
        from django.db.models.signals import post_migrate

        # Its messages and events, registered with the notifications layer below it.
        from clinic.appointments import notifications
        from clinic.appointments.overlap import reinstall_after_migrate
        from clinic.appointments.visit_types import connect_receivers

        notifications.register()
        connect_receivers()
        post_migrate.connect(
            reinstall_after_migrate, sender=self, dispatch_uid="appointment_overlap_guard"
        )
