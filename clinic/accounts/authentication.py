import time

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

from clinic.accounts import token_cache


class PatientTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens (`Authorization: Token <token>`), found in one query
    with the user and the user's patient profile joined.

    Every patient endpoint needs the profile next; one query instead of two is
    about 0.3 ms of ORM work saved per API request (docs/benchmarks.md). Knox's
    own lookup also reads all the user's other tokens to sweep expired ones: an
    expired token is refused here and deleted, the rest wait for their own use
    or for logout.

    A token found once is served from the shared cache until it, its user or the
    user's profile changes (clinic.accounts.token_cache): no query at all, about
    0.45 ms less per API request with the file cache.
    """

    def authenticate_credentials(self, token):
        failed = AuthenticationFailed(_("Invalid token."))
        try:
            token = token.decode("utf-8")
            digest = hash_token(token)
        except (UnicodeDecodeError, TypeError, ValueError):
            raise failed from None
        token_key = token[: CONSTANTS.TOKEN_KEY_LENGTH]
        cached = token_cache.cached_token(digest, token_key=token_key)
        if cached is not None:
            return self._valid(cached, failed)
        looked_up_at = time.monotonic()
        candidates = AuthToken.objects.select_related("user__patient").filter(token_key=token_key)
        for auth_token in candidates:
            if not constant_time_compare(digest, auth_token.digest):
                continue
            found = self._valid(auth_token, failed)
            token_cache.remember(auth_token, looked_up_at=looked_up_at)
            return found
        raise failed

    def _valid(self, auth_token, failed):
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            # Deleting it also forgets it in the cache (token_cache's receivers).
            auth_token.delete()
            raise failed
        return self.validate_user(auth_token)


class PatientTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's description of the token header, as for DRF's own tokens."""

    target_class = PatientTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
