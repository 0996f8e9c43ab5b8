from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "clinic.workspace"
    label = "workspace"
    verbose_name = "Clinic workspace"
