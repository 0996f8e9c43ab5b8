from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "clinic.portal"
    label = "portal"
