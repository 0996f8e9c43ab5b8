from django.contrib.auth import get_user_model
from django.db import transaction
from knox.models import AuthToken

from clinic.core.audit import audit_log
from clinic.core.errors import NotFound


def token_for(*, user) -> str:
    """A new API token for the account (one per login, i.e. per device).

    Only its SHA-512 digest is stored; the token expires after API_TOKEN_TTL_DAYS.
    """
    _, token = AuthToken.objects.create(user=user)
    return token


def token_revoke(*, token) -> None:
    """End one API token (the device that logs out)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def tokens_revoke_all(*, user) -> None:
    """End every API token of the account (its password changed, or it was locked)."""
    AuthToken.objects.filter(user=user).delete()


def token_revoke_own(*, user, token_key: str) -> None:
    """End the account's token with this lookup prefix (the portal's "revoke").

    Only the account's own tokens match: another account's prefix is NotFound,
    exactly like a prefix that never existed.
    """
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound("No such token.")
    audit_log(actor=user, action="account.token_revoked", obj=user)


def tokens_revoke_own_all(*, user) -> int:
    """The portal's "revoke all": every device signs in again. Returns how many ended."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    audit_log(actor=user, action="account.tokens_revoked", obj=user, count=deleted)
    return deleted


@transaction.atomic
def password_set(*, user, password: str, actor=None) -> None:
    """Set a new password and audit it.

    Saving a new password ends every API token and web session of the account
    wherever it happens (clinic.accounts.receivers), so this needs no sweep.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(actor=actor or user, action="account.password_set", obj=user)


def username_available(username: str) -> bool:
    return not get_user_model().objects.filter(username__iexact=username).exists()
