"""The log of who opened which patient's record (clinic.audit.models.RecordAccess)."""

from collections.abc import Iterable

from clinic.accounts.login import client_ip_of
from clinic.audit.models import Channel, RecordAccess
from clinic.core import clock
from clinic.patients.models import Patient


def _patient_ids(patients: "Patient | int | Iterable[Patient | int] | None") -> list[int]:
    if patients is None:
        return []
    if isinstance(patients, int) or hasattr(patients, "pk"):
        patients = [patients]
    ids = (p if isinstance(p, int) else p.pk for p in patients)
    return list(dict.fromkeys(i for i in ids if i is not None))  # once each, in order


def log_record_access(*, request, patients, via: str) -> list[RecordAccess]:
    """Record that the caller of `request` read the record of `patients`.

    `patients` is one Patient (or its id) or an iterable of them; every patient gets
    one row, all written by one INSERT. `request` is Django's HttpRequest or DRF's
    Request (pass DRF's for token logins: its `user` is the token's account).
    `via` is a Channel value: workspace, fhir, api or admin.
    """
    via = Channel(via).value
    ids = _patient_ids(patients)
    if not ids:
        return []
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    at, ip, path = clock.now(), client_ip_of(request), request.path[:200]
    return RecordAccess.objects.bulk_create(
        RecordAccess(at=at, user_id=user_id, patient_id=pk, ip_address=ip, via=via, path=path)
        for pk in ids
    )
