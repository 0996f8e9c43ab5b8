"""Password reset tokens handed out by verify-otp/.

Django's PasswordResetTokenGenerator hashes the password hash and last login
into the token, so it dies as soon as it is used (the password changes). Ours
has its own salt (a token from elsewhere does not work here) and a shorter life.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int, int_to_base36


class ResetTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "clinic.otp.tokens.ResetTokenGenerator"

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= settings.RESET_TOKEN_TTL_SECONDS


reset_tokens = ResetTokenGenerator()


def reset_token_make(user) -> str:
    return f"{int_to_base36(user.pk)}:{reset_tokens.make_token(user)}"


def reset_token_user_id(reset_token) -> int | None:
    """The user id a token names (unchecked), or None for a malformed token."""
    if not isinstance(reset_token, str) or reset_token.count(":") != 1:
        return None
    uid, _ = reset_token.split(":")
    try:
        value = base36_to_int(uid)
    except ValueError:
        return None
    # Beyond a bigint the database would refuse the lookup instead of finding nothing.
    return value if 0 < value < 2**63 else None


def reset_token_check(user, reset_token: str) -> bool:
    return reset_tokens.check_token(user, reset_token.split(":", 1)[1])

