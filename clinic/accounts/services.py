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


@transaction.atomic
def password_set(*, user, password: str, actor=None) -> None:
    """Set a new password and revoke every API token of the account.

    Web sessions need no sweep: Django stores a hash of the password in each
    session and rejects sessions whose hash no longer matches.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    token_revoke(user=user)
    audit_log(actor=actor or user, action="account.password_set", obj=user)


def username_available(username: str) -> bool:
    return not get_user_model().objects.filter(username__iexact=username).exists()
