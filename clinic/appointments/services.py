"""Booking and the visit's states: the rules every interface (API, portal, admin) goes through."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from clinic.appointments import holds, notifications, states
from clinic.appointments.models import (
    Appointment,
    AppointmentMove,
    AppointmentStatusChange,
    CancelledBy,
    Status,
    VisitType,
)
from clinic.appointments.signals import send_slot_freed
from clinic.appointments.visit_types import visit_end, visit_type_get
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import Conflict, InvalidInput, NotFound, SlotUnavailable
from clinic.doctors.models import Doctor
from clinic.doctors.selectors import booking_window, doctor_day_sessions
from clinic.notifications.events import event_emit
from clinic.patients.models import Patient


def appointment_book(
    *,
    patient: Patient,
    doctor: Doctor,
    day: dt.date,
    start: dt.time,
    reason: str = "",
    actor=None,
    visit_type: VisitType | None = None,
) -> Appointment:
    """Book the patient a visit of `visit_type` (the default one when None) at one of
    the doctor's slots.

    The visit starts on a slot and must end within that session (docs/visits.md).
    The rules give clear messages; whether the time is still free is left to the
    database (the partial unique constraints and the overlap guard), which decides
    races too: of two concurrent bookings of overlapping times exactly one commits,
    the other gets a Conflict.
    """
    kind = visit_type_get(visit_type_id=visit_type.pk if visit_type is not None else None)
    number, end = _bookable_slot(doctor=doctor, day=day, start=start, kind=kind)

    try:
        with transaction.atomic():
            _check_not_held(patient=patient, doctor=doctor, day=day, start=start)
            _check_booking_limit(patient)
            appointment = Appointment.objects.create(
                patient=patient,
                doctor=doctor,
                visit_type_id=kind.pk,
                date=day,
                start=start,
                end=end,
                slot_number=number,
                reason=reason,
            )
            audit_log(actor=actor or patient.user, action="appointment.booked", obj=appointment)
            # In the booking's transaction: the confirmation is as durable as the booking.
            event_emit(name=notifications.BOOKED, object_id=appointment.pk)
    except IntegrityError:
        raise _conflict_for(patient=patient, day=day, start=start) from None
    return appointment


def _bookable_slot(
    *, doctor: Doctor, day: dt.date, start: dt.time, kind: VisitType
) -> tuple[int, dt.time]:
    """The rules of a new slot (booking and reschedule alike): its token number and the
    visit's end, or a clear refusal."""
    first, last = booking_window()
    if day < first:
        raise InvalidInput("date: Cannot book a date in the past.", field="date")
    if day > last:
        raise InvalidInput(f"date: Bookings open {last - first} ahead at most.", field="date")
    if not doctor.is_active:
        raise NotFound("This doctor is not taking appointments.", field="doc_id")
    sessions = doctor_day_sessions(doctor=doctor, day=day)
    session = next((s for s in sessions if start in s.slots), None)
    if session is None:
        raise InvalidInput(
            f"slot: {clock.slot_label(start)} is not one of the doctor's slots on {day}.",
            field="slot",
        )
    end = visit_end(start, kind.minutes)
    if end > session.end:
        raise InvalidInput(
            f"slot: A {kind.name.lower()} takes {kind.minutes} minutes and the doctor's "
            f"session ends at {clock.slot_label(session.end)}; pick an earlier slot.",
            field="slot",
        )
    if clock.combine(day, start) <= clock.now():
        raise InvalidInput("slot: This slot has already started.", field="slot")
    number = sorted(t for s in sessions for t in s.slots).index(start) + 1
    return number, end


def _check_not_held(*, patient: Patient, doctor: Doctor, day: dt.date, start: dt.time) -> None:
    """Refuse a slot held for another patient (a waitlist offer); call inside the transaction."""
    holds.doctor_lock(doctor.pk)
    held = holds.held_slots(doctor_id=doctor.pk, first=day, last=day, except_patient_id=patient.pk)
    if (day, start) in held:
        raise SlotUnavailable(
            f"The {clock.slot_label(start)} slot on {day} is held for a patient on the waiting"
            " list. Please pick another."
        )


def _check_booking_limit(patient: Patient) -> None:
    """At most MAX_ACTIVE_BOOKINGS upcoming appointments per patient, even under concurrency.

    The patient's row is locked first: a second booking by the same patient waits
    here until the first commits, and then counts it (a count alone would let two
    concurrent bookings both see room for one more).
    """
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk"))
    limit = settings.MAX_ACTIVE_BOOKINGS
    if Appointment.objects.upcoming().filter(patient=patient).count() >= limit:
        raise Conflict(
            f"You already have {limit} upcoming appointments, the most one patient may hold."
            " Cancel one to book another."
        )


def _conflict_for(*, patient, day, start) -> Conflict:
    """Say which rule stands in the way: the patient's own visit at that time (the
    patient's unique constraint), or the doctor's time being taken."""
    if Appointment.objects.active_slots().filter(patient=patient, date=day, start=start).exists():
        return Conflict(f"You already have an appointment on {day} at {clock.slot_label(start)}.")
    return SlotUnavailable(
        f"The {clock.slot_label(start)} slot on {day} is not free any more. Please pick another."
    )


def appointment_change_status(
    *,
    appointment: Appointment,
    status: str,
    actor,
    cancelled_by: str = CancelledBy.CLINIC,
    reason: str = "",
) -> Appointment:
    """Move a visit to `status`: the one way any state changes (clinic/appointments/states.py).

    Compare-and-swap: the row changes only if it is still in the state this
    instance holds, so of two concurrent changes one wins and the other is a
    Conflict. The step is recorded (AppointmentStatusChange, audit log, with
    `reason` when given), and the state's timestamp (arrived_at, ...) set. Call
    inside the caller's transaction to make several changes all or nothing.
    """
    if status not in Status.values:
        raise InvalidInput(f"status: {status!r} is not a visit state.", field="status")
    current = appointment.status
    if not states.allowed(current, status):
        raise Conflict(
            f"Appointment {appointment.pk} is {Status(current).label.lower()}; it cannot "
            f"become {Status(status).label.lower()}."
        )
    now = clock.now()
    refusal = states.timing_refusal(
        from_status=current,
        to_status=status,
        day=appointment.date,
        starts_at=appointment.starts_at,
        now=now,
    )
    if refusal:
        raise InvalidInput(refusal)
    fields = {"status": status}
    if status in states.STAMPS:
        fields[states.STAMPS[status]] = now
    if status == Status.CANCELLED:
        fields |= {
            "cancelled_by": cancelled_by,
            "cancelled_by_user": actor if _saved(actor) else None,
        }
    # No savepoint (two queries fewer): the block raises only on a database error,
    # which rightly spoils a caller's transaction too; a lost race raises after it,
    # having written nothing.
    with transaction.atomic(savepoint=False):
        # A cancellation is a new revision of the calendar event (iCalendar SEQUENCE).
        bump = {"sequence": F("sequence") + 1} if status == Status.CANCELLED else {}
        changed = Appointment.objects.filter(pk=appointment.pk, status=current).update(
            updated_at=now, **fields, **bump
        )
        if changed == 1:
            for name, value in fields.items():
                setattr(appointment, name, value)
            appointment.updated_at = now
            if bump:
                appointment.sequence += 1
            AppointmentStatusChange.objects.create(
                appointment=appointment,
                from_status=current,
                to_status=status,
                changed_at=now,
                changed_by=actor if _saved(actor) else None,
            )
            # update() sends no signals: the history row is written here, from the
            # instance as it now is.
            Appointment.history.bulk_history_create(
                [appointment],
                update=True,
                default_user=actor if _saved(actor) else None,
                default_date=now,
                default_change_reason=f"status: {current} → {status}"
                + (f" ({reason})" if reason else ""),
            )
            extra = {"by": cancelled_by} if status == Status.CANCELLED else {}
            if reason:
                extra["reason"] = reason
            audit_log(actor=actor, action=f"appointment.{status}", obj=appointment, **extra)
            if status == Status.CANCELLED:
                # In the change's transaction: the notice is as durable as the change.
                event_emit(name=notifications.CANCELLED, object_id=appointment.pk)
                if appointment.starts_at > now:
                    # After commit: the waitlist offers the freed slot to the next in line.
                    transaction.on_commit(
                        lambda a=appointment: send_slot_freed(
                            doctor_id=a.doctor_id, day=a.date, start=a.start
                        )
                    )
    if changed != 1:
        raise Conflict(
            f"Appointment {appointment.pk} changed meanwhile; it was not made "
            f"{Status(status).label.lower()}."
        )
    return appointment


def _saved(user) -> bool:
    return getattr(user, "pk", None) is not None


def appointment_reschedule(
    *,
    patient: Patient,
    appointment_id: int,
    day: dt.date,
    start: dt.time,
    doctor: Doctor | None = None,
    actor=None,
) -> Appointment:
    """Move the patient's upcoming appointment to another slot, with `doctor` or its own.

    The new slot follows appointment_book's rules (for the visit's own type). One
    UPDATE moves the row, so the booking keeps its id, the old slot is free the
    moment the new one is taken, and the database's constraints and overlap guard
    decide races as for a booking. On any error nothing has changed. The patient
    gets one "moved" message, and the freed slot is offered to the waitlist.
    """
    appointment = _upcoming_of(patient, appointment_id)
    doctor = doctor or appointment.doctor
    kind = appointment.visit_type
    number, end = _bookable_slot(doctor=doctor, day=day, start=start, kind=kind)
    was = (appointment.doctor_id, appointment.date, appointment.start)
    if was == (doctor.pk, day, start):
        raise Conflict(f"Your appointment is already on {day} at {clock.slot_label(start)}.")
    actor = actor or patient.user
    now = clock.now()
    try:
        with transaction.atomic():
            _check_not_held(patient=patient, doctor=doctor, day=day, start=start)
            # Compare-and-swap on the old place: if the appointment was cancelled or
            # moved since it was read, nothing changes here.
            changed = Appointment.objects.filter(
                pk=appointment.pk,
                status=Status.BOOKED,
                doctor_id=was[0],
                date=was[1],
                start=was[2],
            ).update(
                doctor=doctor,
                date=day,
                start=start,
                end=end,
                slot_number=number,
                sequence=F("sequence") + 1,
                reminder_sent_at=None,
                updated_at=now,
            )
            if changed != 1:
                raise Conflict(f"Appointment {appointment.pk} changed meanwhile; it was not moved.")
            appointment.refresh_from_db()
            move = AppointmentMove.objects.create(
                appointment=appointment,
                from_doctor_id=was[0],
                from_date=was[1],
                from_start=was[2],
                to_doctor=doctor,
                to_date=day,
                to_start=start,
                moved_by=actor if _saved(actor) else None,
            )
            # update() sends no signals: the history row is written here.
            Appointment.history.bulk_history_create(
                [appointment],
                update=True,
                default_user=actor if _saved(actor) else None,
                default_date=now,
                default_change_reason="moved",
            )
            audit_log(
                actor=actor,
                action="appointment.rescheduled",
                obj=appointment,
                from_doctor=was[0],
                from_date=str(was[1]),
                from_slot=clock.slot_label(was[2]),
                to_doctor=doctor.pk,
                to_date=str(day),
                to_slot=clock.slot_label(start),
            )
            # Written with the move: one "moved" message, never a cancel plus a booking.
            event_emit(name=notifications.RESCHEDULED, object_id=move.pk)
    except IntegrityError:
        raise _conflict_for(patient=patient, day=day, start=start) from None
    transaction.on_commit(lambda: send_slot_freed(doctor_id=was[0], day=was[1], start=was[2]))
    return appointment


def _upcoming_of(patient: Patient, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.upcoming()
        .select_related("doctor", "visit_type")
        .filter(patient=patient, pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound(f"No active booking of yours with id {appointment_id}.", field="booking-id")
    return appointment


def appointment_cancel(*, patient: Patient, ids: list[int], actor=None) -> list[Appointment]:
    """Cancel the patient's own upcoming appointments: all of them, or none."""
    wanted = set(ids)
    if not wanted:
        raise InvalidInput("booking-ids: Give at least one booking id.", field="booking-ids")
    with transaction.atomic():
        mine = list(
            Appointment.objects.select_for_update()
            .upcoming()
            .filter(patient=patient, pk__in=wanted)
        )
        missing = wanted - {a.pk for a in mine}
        if missing:
            raise NotFound(
                f"No active booking of yours with id {sorted(missing)[0]}.", field="booking-ids"
            )
        for appointment in mine:
            appointment_change_status(
                appointment=appointment,
                status=Status.CANCELLED,
                actor=actor or patient.user,
                cancelled_by=CancelledBy.PATIENT,
            )
    return mine


def appointment_cancel_by_clinic(*, appointments, actor) -> list[Appointment]:
    """Cancel on the clinic's behalf (the admin action): all that may still be
    cancelled, or none; skips what is already past that point."""
    cancellable = [s for s, allowed in states.TRANSITIONS.items() if Status.CANCELLED in allowed]
    with transaction.atomic():
        chosen = list(
            Appointment.objects.select_for_update().filter(
                pk__in=[a.pk for a in appointments], status__in=cancellable
            )
        )
        for appointment in chosen:
            appointment_change_status(
                appointment=appointment,
                status=Status.CANCELLED,
                actor=actor,
                cancelled_by=CancelledBy.CLINIC,
            )
    return chosen


def appointment_cancel_at_desk(*, appointment_id: int, reason: str, actor) -> Appointment:
    """Cancel a booked or arrived visit for the clinic (a caller, the desk), with the
    reason kept in its history and audit log."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("reason: Say why the appointment is cancelled.", field="reason")
    if len(reason) > 200:
        raise InvalidInput("reason: At most 200 characters.", field="reason")
    cancellable = [s for s, allowed in states.TRANSITIONS.items() if Status.CANCELLED in allowed]
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(pk=appointment_id, status__in=cancellable)
            .first()
        )
        if appointment is None:
            raise Conflict(f"Appointment {appointment_id} can no longer be cancelled.")
        return appointment_change_status(
            appointment=appointment,
            status=Status.CANCELLED,
            actor=actor,
            cancelled_by=CancelledBy.CLINIC,
            reason=reason,
        )


def appointment_set_outcome(*, appointment: Appointment, status: str, actor) -> Appointment:
    """Mark a started appointment completed or no-show (staff only)."""
    if status not in (Status.COMPLETED, Status.NO_SHOW):
        raise InvalidInput("status: Only completed or no-show can be set.", field="status")
    return appointment_change_status(appointment=appointment, status=status, actor=actor)


def visit_type_set_default(*, visit_type: VisitType, actor) -> VisitType:
    """Make `visit_type` (active) the one given to bookings that name none."""
    if not visit_type.is_active:
        raise InvalidInput("An inactive visit type cannot be the default.", field="is_active")
    with transaction.atomic():
        for current in VisitType.objects.select_for_update().filter(is_default=True):
            if current.pk != visit_type.pk:
                current.is_default = False
                current.save(update_fields=["is_default", "updated_at"])
        visit_type.is_default = True
        visit_type.save(update_fields=["is_default", "updated_at"])
        audit_log(actor=actor, action="visit_type.made_default", obj=visit_type)
    return visit_type
