"""Random, unguessable keys for private files."""

import logging
import secrets
from pathlib import PurePosixPath

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def random_key(prefix: str, filename: str) -> str:
    """`<prefix>/<random>.<ext>`: no names or ids that could be enumerated."""
    ext = PurePosixPath(filename or "").suffix.lower()[:10]
    return f"{prefix}/{secrets.token_urlsafe(24)}{ext}"


def patient_picture_key(instance, filename):
    return random_key("pictures/patients", filename)


def doctor_picture_key(instance, filename):
    return random_key("pictures/doctors", filename)


def lab_report_key(instance, filename):
    return random_key("reports", filename)


def scan_key(instance, filename):
    return random_key("scans", filename)


def store(instance, field_name: str, content) -> str:
    """Save `content` under a fresh random key of `instance.<field_name>`'s storage.

    Runs before the database transaction that points the row at the new key,
    so no slow storage I/O happens under a row lock; see `replace_file`.
    """
    field = instance._meta.get_field(field_name)
    name = field.generate_filename(instance, content.name)
    return field.storage.save(name, content, max_length=field.max_length)


def delete_after_commit(storage, name: str | None) -> None:
    """Remove `name` from `storage` once the current transaction commits.

    On rollback the file stays, so a row never points at a deleted file.
    """
    if name:
        transaction.on_commit(lambda: _delete_quietly(storage, name))


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a leftover file is better than a failed request after commit
        logger.exception("Could not delete the stored file %s", name)


def remove_files_of_deleted(sender, instance, **kwargs) -> None:
    """post_delete receiver: a deleted row's files go once the delete commits.

    Covers model, queryset and admin deletes alike, and cascades (a user's
    patient profile and its picture).
    """
    for field in sender._meta.get_fields():
        if isinstance(field, models.FileField):
            fieldfile = getattr(instance, field.attname)
            delete_after_commit(fieldfile.storage, fieldfile.name)


def connect_file_cleanup() -> None:
    """Connect `remove_files_of_deleted` to every model that has a FileField."""
    for model in apps.get_models():
        if any(isinstance(f, models.FileField) for f in model._meta.get_fields()):
            post_delete.connect(
                remove_files_of_deleted,
                sender=model,
                dispatch_uid=f"file_cleanup_{model._meta.label}",
            )
