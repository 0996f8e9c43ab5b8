"""Random, unguessable keys for private files."""

import secrets
from pathlib import PurePosixPath


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
