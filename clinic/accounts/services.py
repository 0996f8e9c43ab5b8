from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from clinic.core.audit import audit_log


def token_for(*, user) -> str:
    """The user's API token, created on first login as the seed did."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def token_revoke(*, user) -> None:
    Token.objects.filter(user=user).delete()


def tokens_revoke_all(*, user) -> None:
    """End every API token of the account (its password changed, or it was locked)."""
    Token.objects.filter(user=user).delete()


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
