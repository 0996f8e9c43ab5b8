from django.db.models import QuerySet
from django.utils import timezone
from knox.models import AuthToken


def api_tokens_of(*, user) -> QuerySet[AuthToken]:
    """The account's live API tokens, newest first: only what a list may show.

    The digest is knox's primary key, so it is loaded, but nothing may show it:
    `token_key` (knox's plain lookup prefix, not the secret) names a token.
    """
    return (
        AuthToken.objects.filter(user=user)
        .exclude(expiry__lt=timezone.now())
        .only("token_key", "created", "expiry", "user_id")
        .order_by("-created", "token_key")
    )
