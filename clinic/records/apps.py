from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "clinic.records"
    label = "records"
    verbose_name = "Consultations and prescriptions"

    def ready(self):
        from django.db.models.signals import post_migrate

        from clinic.records.integrity import reinstall_after_migrate

        post_migrate.connect(
            reinstall_after_migrate, sender=self, dispatch_uid="consultation_appointment_guard"
        )
