"""Writing the clinical record: consultations and their prescription lines.

A consultation is started from a visit (consultation_start) and belongs to that
visit's patient and doctor; the database holds that rule too
(clinic/records/integrity.py). Notes, diagnosis and lines are then edited
through these services, and nothing is deleted: a record that should never
have existed is marked entered in error, with who, when and why, and leaves the
patient's views while staff can still read it and its history.

Every write runs in a transaction, is validated first (InvalidInput, nothing
written), leaves a history row with the acting user (django-simple-history)
and an audit event naming the fields, never their values. The actor needs the
model permission for the write (records.add_consultation, ...), which the staff
roles grant.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_change_status
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from clinic.core.files import delete_after_commit, store
from clinic.core.uploads import CleanedFile, clean_document
from clinic.records.icd10 import icd10_normalise
from clinic.records.models import Consultation, PrescriptionLine

_UNSET = object()
_REASON_MAX = Consultation._meta.get_field("error_reason").max_length
_LINE_FIELDS = ("medicine", "dose", "frequency", "duration", "instructions")

# A visit in these states may have its consultation written; an arrived patient
# is taken in (in consultation) by starting it.
_WRITABLE_VISIT = (Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED)
_NOT_YET = {
    Status.BOOKED: "the patient has not arrived yet",
    Status.NO_SHOW: "the patient did not come",
    Status.CANCELLED: "it was cancelled",
    Status.ENTERED_IN_ERROR: "it was entered in error",
}


def consultation_start(*, appointment: Appointment, actor) -> Consultation:
    """Open the consultation of a visit: the visit's live one if it has one, else a new
    one for its patient and doctor, dated on its day.

    An arrived patient is taken in (the visit becomes in consultation); a visit in
    consultation or completed just gets its record. A booked, cancelled or missed
    visit is refused (Conflict).
    """
    _require_perm(actor, "records.add_consultation", doing="start a consultation")
    with transaction.atomic():
        # Locked: two clicks on "start" take the patient in once.
        visit = (
            Appointment.objects.select_for_update()
            .select_related("visit_type")
            .filter(pk=appointment.pk)
            .first()
        )
        if visit is None:
            raise NotFound("No such appointment.")
        existing = Consultation.objects.live().filter(appointment=visit).first()
        if existing is not None:
            return existing
        if visit.status not in _WRITABLE_VISIT:
            raise Conflict(
                f"Cannot start a consultation for appointment {visit.pk}: {_NOT_YET[visit.status]}."
            )
        if visit.status == Status.ARRIVED:
            appointment_change_status(appointment=visit, status=Status.IN_CONSULTATION, actor=actor)
        consultation = Consultation(
            patient_id=visit.patient_id,
            doctor_id=visit.doctor_id,
            appointment=visit,
            date=visit.date,
            purpose=(visit.reason or visit.visit_type.name)[:200],
        )
        _with_actor(consultation, actor, reason="started")
        try:
            with transaction.atomic():
                consultation.save()
        except IntegrityError:
            # A concurrent start won (SQLite takes no row lock): open its record.
            existing = Consultation.objects.live().filter(appointment=visit).first()
            if existing is None:
                raise
            return existing
        audit_log(
            actor=actor,
            action="consultation.started",
            obj=consultation,
            appointment_id=visit.pk,
        )
    for name in ("status", "consultation_started_at", "updated_at", "sequence"):
        setattr(appointment, name, getattr(visit, name))
    return consultation


def consultation_update(
    *,
    consultation: Consultation,
    actor,
    purpose=_UNSET,
    notes=_UNSET,
    diagnosis=_UNSET,
    icd10=_UNSET,
    scan=_UNSET,
) -> Consultation:
    """Change what the consultation says; arguments left out stay as they are.

    `icd10` is checked for shape and stored upper-case with its dot ("j069" ->
    "J06.9"); "" removes it. `scan` is an uploaded image or PDF (checked and
    cleaned), replacing any earlier one. A consultation entered in error is
    closed (Conflict).
    """
    _require_perm(actor, "records.change_consultation", doing="edit a consultation")
    changes = {
        name: value
        for name, value in {
            "purpose": purpose,
            "notes": notes,
            "diagnosis": diagnosis,
        }.items()
        if value is not _UNSET
    }
    changes = {name: _text(value) for name, value in changes.items()}
    if icd10 is not _UNSET:
        try:
            changes["icd10"] = icd10_normalise(_text(icd10))
        except ValidationError as exc:
            raise InvalidInput(f"icd10: {exc.messages[0]}", field="icd10") from None
    _validate(consultation, changes)
    content = None
    if scan is not _UNSET and scan is not None:
        content = scan if isinstance(scan, CleanedFile) else clean_document(scan)
    # The file is stored before the transaction (no slow I/O under the row lock)
    # and removed again if the change is refused.
    new_scan = store(consultation, "scan", content) if content is not None else None
    storage = consultation.scan.storage
    try:
        with transaction.atomic():
            current = _locked(Consultation, consultation.pk)
            _require_live(current, "consultation")
            changed = [name for name, value in changes.items() if getattr(current, name) != value]
            if new_scan is not None:
                delete_after_commit(storage, current.scan.name)
                changes["scan"] = new_scan
                changed.append("scan")
            if not changed:
                return _refresh(consultation, current)
            for name in changed:
                setattr(current, name, changes[name])
            _with_actor(current, actor, reason="updated")
            current.save(update_fields=[*changed, "updated_at"])
            audit_log(
                actor=actor, action="consultation.updated", obj=current, fields=sorted(changed)
            )
    except BaseException:
        if new_scan is not None:
            storage.delete(new_scan)
        raise
    return _refresh(consultation, current)


def consultation_mark_entered_in_error(
    *, consultation: Consultation, actor, reason: str
) -> Consultation:
    """The consultation should never have existed (wrong patient, wrong visit): it is
    kept, with its lines and history, but leaves the patient's views at once. The
    visit may then get a new consultation."""
    _require_perm(actor, "records.change_consultation", doing="mark a consultation in error")
    reason = _reason(reason)
    with transaction.atomic():
        current = _locked(Consultation, consultation.pk)
        _require_live(current, "consultation")
        _flag(current, actor=actor, reason=reason)
        current.updated_at = clock.now()
        current.save(update_fields=[*_FLAGS, "updated_at"])
        audit_log(actor=actor, action="consultation.entered_in_error", obj=current)
    return _refresh(consultation, current)


def prescription_line_add(
    *,
    consultation: Consultation,
    actor,
    medicine: str,
    dose: str,
    frequency: str,
    duration: str,
    instructions: str = "",
    position: int | None = None,
) -> PrescriptionLine:
    """Add a line to the consultation's prescription, last unless `position` says where."""
    _require_perm(actor, "records.add_prescriptionline", doing="prescribe")
    values = {
        "medicine": medicine,
        "dose": dose,
        "frequency": frequency,
        "duration": duration,
        "instructions": instructions,
    }
    line = PrescriptionLine(
        consultation_id=consultation.pk, **{k: _text(v) for k, v in values.items()}
    )
    if position is not None:
        line.position = _position(position)
    _validate(line, {name: getattr(line, name) for name in _LINE_FIELDS})
    with transaction.atomic():
        parent = _locked(Consultation, consultation.pk)
        _require_live(parent, "consultation")
        if position is None:
            last = parent.lines.order_by("-position").values_list("position", flat=True).first()
            line.position = 0 if last is None else last + 1
        _with_actor(line, actor, reason="added")
        line.save()
        audit_log(
            actor=actor,
            action="prescription_line.added",
            obj=line,
            consultation_id=parent.pk,
        )
    return line


def prescription_line_update(
    *,
    line: PrescriptionLine,
    actor,
    medicine=_UNSET,
    dose=_UNSET,
    frequency=_UNSET,
    duration=_UNSET,
    instructions=_UNSET,
    position=_UNSET,
) -> PrescriptionLine:
    """Change a line; arguments left out stay as they are. A line, or a consultation,
    entered in error is closed (Conflict)."""
    _require_perm(actor, "records.change_prescriptionline", doing="change a prescription")
    given = {
        "medicine": medicine,
        "dose": dose,
        "frequency": frequency,
        "duration": duration,
        "instructions": instructions,
    }
    changes = {name: _text(value) for name, value in given.items() if value is not _UNSET}
    if position is not _UNSET:
        changes["position"] = _position(position)
    _validate(line, changes)
    with transaction.atomic():
        parent = _locked(Consultation, line.consultation_id)
        _require_live(parent, "consultation")
        current = _locked(PrescriptionLine, line.pk)
        _require_live(current, "prescription line")
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return _refresh(line, current)
        for name in changed:
            setattr(current, name, changes[name])
        _with_actor(current, actor, reason="updated")
        current.save(update_fields=changed)
        audit_log(
            actor=actor, action="prescription_line.updated", obj=current, fields=sorted(changed)
        )
    return _refresh(line, current)


def prescription_line_mark_entered_in_error(
    *, line: PrescriptionLine, actor, reason: str
) -> PrescriptionLine:
    """The line should never have been prescribed: it is kept, with its history, but
    leaves the patient's views and the prescription PDF."""
    _require_perm(
        actor, "records.change_prescriptionline", doing="mark a prescription line in error"
    )
    reason = _reason(reason)
    with transaction.atomic():
        current = _locked(PrescriptionLine, line.pk)
        _require_live(current, "prescription line")
        _flag(current, actor=actor, reason=reason)
        current.save(update_fields=_FLAGS)
        audit_log(
            actor=actor,
            action="prescription_line.entered_in_error",
            obj=current,
            consultation_id=current.consultation_id,
        )
    return _refresh(line, current)


_FLAGS = ["entered_in_error_at", "entered_in_error_by", "error_reason"]


def _require_perm(actor, perm: str, *, doing: str) -> None:
    if not (
        getattr(actor, "pk", None) is not None
        and getattr(actor, "is_active", False)
        and actor.has_perm(perm)
    ):
        raise Forbidden(f"This account may not {doing}.")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _position(value) -> int:
    try:
        position = int(value)
    except (TypeError, ValueError):
        position = -1
    if not 0 <= position <= 32767:
        raise InvalidInput("position: A whole number from 0 to 32767.", field="position")
    return position


def _reason(reason) -> str:
    reason = _text(reason)
    if not reason:
        raise InvalidInput("reason: Say why the record is in error.", field="reason")
    if len(reason) > _REASON_MAX:
        raise InvalidInput(f"reason: At most {_REASON_MAX} characters.", field="reason")
    return reason


def _validate(instance, changes: dict) -> None:
    """The model's field rules (required, lengths, ICD-10 shape) for the fields changed."""
    probe = type(instance)(
        **{f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    )
    for name, value in changes.items():
        setattr(probe, name, value)
    others = [f.name for f in instance._meta.fields if f.name not in changes]
    try:
        probe.clean_fields(exclude=others)
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from None


def _locked(model, pk):
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No such {model._meta.verbose_name}.")
    return row


def _require_live(record, name: str) -> None:
    if record.is_entered_in_error:
        raise Conflict(f"This {name} was entered in error; it can no longer be changed.")


def _flag(record, *, actor, reason: str) -> None:
    record.entered_in_error_at = clock.now()
    record.entered_in_error_by = actor
    record.error_reason = reason
    _with_actor(record, actor, reason="entered in error")


def _with_actor(record, actor, *, reason: str) -> None:
    """The user and reason simple-history stores on the row this save writes."""
    record._history_user = actor
    record._change_reason = reason


def _refresh(instance, current):
    """The caller's instance, brought up to date with the stored row."""
    for field in type(current)._meta.concrete_fields:
        setattr(instance, field.attname, getattr(current, field.attname))
    return instance
