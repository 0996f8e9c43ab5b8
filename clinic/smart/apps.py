from django.apps import AppConfig


class SmartConfig(AppConfig):
    name = "clinic.smart"
    label = "smart"
