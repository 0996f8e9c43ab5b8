from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which record. Never holds passwords, hashes or OTPs."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class ThrottleCounter(models.Model):
    """One fixed window of one throttle (clinic.core.throttle), when Redis is not configured.

    `key` names the scope, the hashed identity and the window; rows past
    `expires_at` are dead and purged now and then.
    """

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"


class RecordDeleteRefused(Exception):
    """A clinical record is never deleted: mark it entered in error instead."""


class KeptQuerySet(models.QuerySet):
    """A queryset whose rows cannot be deleted through the ORM (clinical records)."""

    def delete(self):
        raise RecordDeleteRefused(
            f"{self.model._meta.verbose_name_plural} are never deleted: "
            "mark them entered in error instead."
        )

    delete.queryset_only = True


class KeptRecordMixin:
    """Refuses model.delete(): the record is kept, with its history, for good."""

    def delete(self, *args, **kwargs):
        raise RecordDeleteRefused(
            f"A {self._meta.verbose_name} is never deleted: mark it entered in error instead."
        )
