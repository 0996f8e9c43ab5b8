"""Bearer tokens from SMART apps, for the DRF views that accept them (/fhir/)."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication


class SmartOAuth2Authentication(OAuth2Authentication):
    """`Authorization: Bearer <token>` of a SMART app; `request.auth` is the AccessToken.

    The views check the token's scopes with clinic.smart.scopes.scope_allows (see
    `token_scopes`); knox `Token` credentials and sessions are other classes.
    """

    www_authenticate_realm = "fhir"


def token_scopes(request) -> list[str] | None:
    """The SMART scopes of the request's bearer token, or None for a knox token or a session."""
    from oauth2_provider.models import AccessToken

    auth = getattr(request, "auth", None)
    return auth.scope.split() if isinstance(auth, AccessToken) else None
