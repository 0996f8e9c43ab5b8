from django.apps import AppConfig


class OtpConfig(AppConfig):
    name = "clinic.otp"
    label = "otp"

    def ready(self):
        # Its messages and events, registered with the notifications layer below it.
        from clinic.otp import notifications

        notifications.register()
