from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "clinic.records"
    label = "records"
    verbose_name = "Consultations and prescriptions"
