from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "clinic.labs"
    label = "labs"
    verbose_name = "Lab reports"
