from django.conf import settings
from django.utils.module_loading import import_string


def get_sms_backend(**kwargs):
    """An instance of settings.SMS_BACKEND, as django.core.mail.get_connection does for email."""
    return import_string(settings.SMS_BACKEND)(**kwargs)
