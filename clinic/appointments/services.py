"""Booking and the visit's states: the rules every interface (API, portal, admin) goes through."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from clinic.appointments import notifications, states
from clinic.appointments.models import (
    Appointment,
    AppointmentStatusChange,
    CancelledBy,
    Status,
    VisitType,
)
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

    try:
        with transaction.atomic():
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
        f"The {clock.slot_label(start)} slot on {day} has just been taken. Please pick another."
    )


def appointment_change_status(
    *, appointment: Appointment, status: str, actor, cancelled_by: str = CancelledBy.CLINIC
) -> Appointment:
    """Move a visit to `status`: the one way any state changes (clinic/appointments/states.py).

    Compare-and-swap: the row changes only if it is still in the state this
    instance holds, so of two concurrent changes one wins and the other is a
    Conflict. The step is recorded (AppointmentStatusChange, audit log), and the
    state's timestamp (arrived_at, ...) set. Call inside the caller's transaction
    to make several changes all or nothing.
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
        changed = Appointment.objects.filter(pk=appointment.pk, status=current).update(
            updated_at=now, **fields
        )
        if changed == 1:
            for name, value in fields.items():
                setattr(appointment, name, value)
            appointment.updated_at = now
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
                default_change_reason=f"status: {current} → {status}",
            )
            extra = {"by": cancelled_by} if status == Status.CANCELLED else {}
            audit_log(actor=actor, action=f"appointment.{status}", obj=appointment, **extra)
            if status == Status.CANCELLED:
                # In the change's transaction: the notice is as durable as the change.
                event_emit(name=notifications.CANCELLED, object_id=appointment.pk)
    if changed != 1:
        raise Conflict(
            f"Appointment {appointment.pk} changed meanwhile; it was not made "
            f"{Status(status).label.lower()}."
        )
    return appointment


def _saved(user) -> bool:
    return getattr(user, "pk", None) is not None


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
