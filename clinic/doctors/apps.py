from django.apps import AppConfig


class DoctorsConfig(AppConfig):
    name = "clinic.doctors"
    label = "doctors"
    verbose_name = "Doctors and schedules"

    def ready(self):
        from clinic.doctors.cache import connect_receivers

        connect_receivers()
