"""Revoking an app's access: what a patient does from the portal's Connected apps page."""

from django.db import transaction
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from clinic.core.errors import NotFound


@transaction.atomic
def smart_app_revoke(*, user, application_id: int) -> None:
    """Delete every token and pending code `user` gave the app; its next call is a 401.

    An app with nothing from this user (or someone else's app id) is NotFound.
    """
    access = AccessToken.objects.filter(user=user, application_id=application_id)
    refresh = RefreshToken.objects.filter(user=user, application_id=application_id)
    if not (access.exists() or refresh.filter(revoked__isnull=True).exists()):
        raise NotFound("No such connected app.")
    refresh.delete()
    access.delete()
    Grant.objects.filter(user=user, application_id=application_id).delete()
    IDToken.objects.filter(user=user, application_id=application_id).delete()
