"""What the API itself must remember: the answers given to Idempotency-Key requests.

This is interface state (a stored HTTP answer), not a domain record, so it lives
in the API app rather than beside the appointments it protects.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first answer to a request that carried `Idempotency-Key: <key>`.

    The unique constraint on (user, key) decides between concurrent duplicates:
    the second insert waits for the first transaction and then fails, and that
    request replays the stored answer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # sha256 of the method, path and canonical JSON body.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key"),
        ]

    def __str__(self):
        return f"{self.key} ({self.response_status})"
