"""The apps a login has connected (authorized) and still can use."""

from dataclasses import dataclass, field
from datetime import datetime

from oauth2_provider.models import AccessToken, RefreshToken

from clinic.smart.scopes import SCOPES


@dataclass
class ConnectedApp:
    id: int
    name: str
    since: datetime
    scopes: set[str] = field(default_factory=set)

    @property
    def permissions(self) -> list[str]:
        """The scopes in the consent screen's plain words."""
        return [SCOPES.get(scope, scope) for scope in sorted(self.scopes)]


def connected_apps_for(*, user) -> list[ConnectedApp]:
    """Apps holding an access token or an unrevoked refresh token of `user`, by name.

    Two queries whatever the number of apps and tokens.
    """
    apps: dict[int, ConnectedApp] = {}
    access = AccessToken.objects.filter(user=user, application__isnull=False)
    refresh = RefreshToken.objects.filter(user=user, revoked__isnull=True)
    for token in [*access.select_related("application"), *refresh.select_related("application",
                                                                                "access_token")]:
        scope = token.scope if isinstance(token, AccessToken) else (
            token.access_token.scope if token.access_token else "")
        app = apps.setdefault(
            token.application_id,
            ConnectedApp(id=token.application_id, name=token.application.name, since=token.created),
        )
        app.since = min(app.since, token.created)
        app.scopes.update(scope.split())
    return sorted(apps.values(), key=lambda app: (app.name.lower(), app.id))
