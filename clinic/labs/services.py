"""A lab report's life: ordered -> resulted -> released, or entered in error.

One service per transition. Each moves the report with a compare-and-swap on
its current state (UPDATE ... WHERE status IN (...)), so of two concurrent
changes one wins and the other gets a clear Conflict; each writes its history
row (django-simple-history) and an audit event. Only the release tells the
patient: before a doctor has reviewed it, a result stays in the clinic.
"""

import datetime as dt

from django.db import transaction

from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from clinic.core.files import delete_after_commit, store
from clinic.core.uploads import clean_document, display_name
from clinic.doctors.models import Doctor
from clinic.labs import notifications
from clinic.labs.models import LabReport, LabStatus
from clinic.notifications.events import event_emit
from clinic.patients.models import Patient

_TEST_MAX = LabReport._meta.get_field("test").max_length
_REASON_MAX = LabReport._meta.get_field("error_reason").max_length

# What each state is called in a refusal.
_NOW = {
    LabStatus.ORDERED: "is still awaiting its result",
    LabStatus.RESULTED: "is awaiting a doctor's review",
    LabStatus.RELEASED: "has already been released",
    LabStatus.ENTERED_IN_ERROR: "was entered in error",
}


def lab_report_order(
    *, patient: Patient, doctor: Doctor, test: str, actor, date: dt.date | None = None
) -> LabReport:
    """A doctor orders a test for a patient: a report in state ordered, dated today."""
    test = (test or "").strip()
    if not test:
        raise InvalidInput("test: Name the test, e.g. CBC.", field="test")
    if len(test) > _TEST_MAX:
        raise InvalidInput(f"test: At most {_TEST_MAX} characters.", field="test")
    with transaction.atomic():
        report = LabReport.objects.create(
            patient=patient, doctor=doctor, test=test, date=date or clock.today()
        )
        audit_log(actor=actor, action="lab_report.ordered", obj=report, doctor_id=doctor.pk)
    return report


def lab_report_attach(*, report: LabReport, upload, actor) -> LabReport:
    """The lab's result: store a checked copy of `upload` and mark the report resulted.

    Allowed while the report is ordered or resulted (a corrected file replaces the
    previous one, which is removed after commit). The patient is not told: the
    result waits for a doctor's release. The file is written under a random key
    before the transaction and removed again if the change is refused.
    """
    content = clean_document(upload)
    original_name = display_name(
        upload, max_length=LabReport._meta.get_field("original_name").max_length
    )
    current = _current(report.pk)
    _require(current, LabStatus.ORDERED, LabStatus.RESULTED, doing="attach a result to")
    new_name = store(report, "file", content)
    storage = report.file.storage
    try:
        with transaction.atomic():
            # The old file name is part of the swap: two uploads racing cannot both
            # win and leave one file stored but unreferenced.
            updated = _swap(
                report.pk,
                actor=actor,
                reason="resulted",
                expect={
                    "status__in": [LabStatus.ORDERED, LabStatus.RESULTED],
                    "file": current.file.name,
                },
                status=LabStatus.RESULTED,
                file=new_name,
                original_name=original_name,
                resulted_at=clock.now(),
            )
            audit_log(
                actor=actor,
                action="lab_report.resulted",
                obj=updated,
                replaced=bool(current.file.name),
            )
            delete_after_commit(storage, current.file.name)
    except BaseException:
        storage.delete(new_name)
        raise
    return _refresh(report, updated)


def lab_report_release(*, report: LabReport, actor) -> LabReport:
    """A doctor reviews the result and releases it: now, and only now, the patient sees
    the report and is told it is ready. The releasing doctor is recorded."""
    doctor = _doctor_of(actor)
    _require(_current(report.pk), LabStatus.RESULTED, doing="release")
    with transaction.atomic():
        updated = _swap(
            report.pk,
            actor=actor,
            reason="released",
            expect={"status": LabStatus.RESULTED},
            status=LabStatus.RELEASED,
            released_at=clock.now(),
            released_by=doctor,
        )
        audit_log(actor=actor, action="lab_report.released", obj=updated, doctor_id=doctor.pk)
        # The patient's message is written with the release (the outbox delivers it).
        event_emit(name=notifications.REPORT_READY, object_id=updated.pk)
    return _refresh(report, updated)


def lab_report_mark_entered_in_error(*, report: LabReport, reason: str, actor) -> LabReport:
    """The report should never have existed (wrong patient, wrong test): it is kept with
    its file and history for the record, but leaves the patient's views at once."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: Say why the report is in error.", field="reason")
    if len(reason) > _REASON_MAX:
        raise InvalidInput(f"reason: At most {_REASON_MAX} characters.", field="reason")
    live = [LabStatus.ORDERED, LabStatus.RESULTED, LabStatus.RELEASED]
    _require(_current(report.pk), *live, doing="mark entered in error")
    with transaction.atomic():
        updated = _swap(
            report.pk,
            actor=actor,
            reason="entered in error",
            expect={"status__in": live},
            status=LabStatus.ENTERED_IN_ERROR,
            entered_in_error_at=clock.now(),
            entered_in_error_by=actor if getattr(actor, "pk", None) else None,
            error_reason=reason,
        )
        audit_log(actor=actor, action="lab_report.entered_in_error", obj=updated)
    return _refresh(report, updated)


def _doctor_of(actor) -> Doctor:
    doctor = Doctor.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if doctor is None:
        raise Forbidden(
            "Only a doctor can release a lab report: this account is not linked to a doctor."
        )
    return doctor


def _current(report_id: int) -> LabReport:
    current = LabReport.objects.filter(pk=report_id).first()
    if current is None:
        raise NotFound("No such lab report.")
    return current


def _require(current: LabReport, *statuses: str, doing: str) -> None:
    if current.status not in statuses:
        raise Conflict(f"Cannot {doing} this lab report: it {_NOW[current.status]}.")


def _swap(report_id: int, *, actor, reason: str, expect: dict, **changes) -> LabReport:
    """Compare-and-swap: apply `changes` only if the row still matches `expect`.

    QuerySet.update() sends no signals, so the history row is written here, with
    the acting user, from the row as it now is.
    """
    changes["updated_at"] = clock.now()
    if LabReport.objects.filter(pk=report_id, **expect).update(**changes) != 1:
        current = _current(report_id)
        raise Conflict(
            f"This lab report changed meanwhile: it {_NOW[current.status]}. "
            "Reload it and try again."
        )
    updated = LabReport.objects.get(pk=report_id)
    LabReport.history.bulk_history_create(
        [updated],
        update=True,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason=reason,
    )
    return updated


def _refresh(report: LabReport, updated: LabReport) -> LabReport:
    """The caller's instance, brought up to date with the swapped row."""
    for field in LabReport._meta.concrete_fields:
        setattr(report, field.attname, getattr(updated, field.attname))
    return report
