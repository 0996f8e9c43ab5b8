from django.apps import AppConfig


class OtpConfig(AppConfig):
    name = "clinic.otp"
    label = "otp"
