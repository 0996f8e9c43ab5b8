"""Booking and cancelling: the rules every interface (API, portal, admin) goes through."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from clinic.appointments import notifications
from clinic.appointments.models import Appointment, CancelledBy, Status
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import Conflict, InvalidInput, NotFound, SlotUnavailable
from clinic.doctors.models import Doctor
from clinic.doctors.selectors import booking_window, doctor_schedule_slots
from clinic.notifications.events import event_emit
from clinic.patients.models import Patient


def appointment_book(
    *, patient: Patient, doctor: Doctor, day: dt.date, start: dt.time, reason: str = "", actor=None
) -> Appointment:
    """Book one of the doctor's free slots for the patient.

    The rules give clear messages; whether the slot is still free is left to
    the partial unique constraints, which decide races too: of two concurrent
    bookings of one slot exactly one commits, the other gets a Conflict.
    """
    first, last = booking_window()
    if day < first:
        raise InvalidInput("date: Cannot book a date in the past.", field="date")
    if day > last:
        raise InvalidInput(f"date: Bookings open {last - first} ahead at most.", field="date")
    if not doctor.is_active:
        raise NotFound("This doctor is not taking appointments.", field="doc_id")
    day_slots = doctor_schedule_slots(doctor=doctor, first=day, last=day).get(day, [])
    if start not in day_slots:
        raise InvalidInput(
            f"slot: {clock.slot_label(start)} is not one of the doctor's slots on {day}.",
            field="slot",
        )
    if clock.combine(day, start) <= clock.now():
        raise InvalidInput("slot: This slot has already started.", field="slot")
    number = day_slots.index(start) + 1

    try:
        with transaction.atomic():
            _check_booking_limit(patient)
            appointment = Appointment.objects.create(
                patient=patient,
                doctor=doctor,
                date=day,
                start=start,
                slot_number=number,
                reason=reason,
            )
            audit_log(actor=actor or patient.user, action="appointment.booked", obj=appointment)
            # In the booking's transaction: the confirmation is as durable as the booking.
            event_emit(name=notifications.BOOKED, object_id=appointment.pk)
    except IntegrityError:
        raise _conflict_for(patient=patient, doctor=doctor, day=day, start=start) from None
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


def _conflict_for(*, patient, doctor, day, start) -> Conflict:
    """Say which constraint stands in the way: the patient's own clash, or a taken slot."""
    if Appointment.objects.active_slots().filter(patient=patient, date=day, start=start).exists():
        return Conflict(f"You already have an appointment on {day} at {clock.slot_label(start)}.")
    return SlotUnavailable(
        f"The {clock.slot_label(start)} slot on {day} has just been taken. Please pick another."
    )


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
        _cancel(mine, by=CancelledBy.PATIENT, actor=actor or patient.user)
    return mine


def appointment_cancel_by_clinic(*, appointments, actor) -> list[Appointment]:
    """Cancel on the clinic's behalf (the admin action); skips what is no longer booked."""
    with transaction.atomic():
        booked = list(
            Appointment.objects.select_for_update().filter(
                pk__in=[a.pk for a in appointments], status=Status.BOOKED
            )
        )
        _cancel(booked, by=CancelledBy.CLINIC, actor=actor)
    return booked


def _cancel(appointments: list[Appointment], *, by: str, actor) -> None:
    at = clock.now()
    for appointment in appointments:
        # Compare-and-swap: a row someone else changed meanwhile is not ours to cancel.
        changed = Appointment.objects.filter(pk=appointment.pk, status=Status.BOOKED).update(
            status=Status.CANCELLED, cancelled_at=at, cancelled_by=by, cancelled_by_user=actor
        )
        if changed != 1:
            raise Conflict(
                f"Appointment {appointment.pk} changed meanwhile; nothing was cancelled."
            )
        appointment.status, appointment.cancelled_at, appointment.cancelled_by = (
            Status.CANCELLED,
            at,
            by,
        )
        audit_log(actor=actor, action="appointment.cancelled", obj=appointment, by=by)
        event_emit(name=notifications.CANCELLED, object_id=appointment.pk)


def appointment_set_outcome(*, appointment: Appointment, status: str, actor) -> Appointment:
    """Mark a started appointment completed or no-show (staff only)."""
    if status not in (Status.COMPLETED, Status.NO_SHOW):
        raise InvalidInput("status: Only completed or no-show can be set.", field="status")
    if appointment.starts_at > clock.now():
        raise InvalidInput("This appointment has not started yet.")
    with transaction.atomic():
        changed = Appointment.objects.filter(pk=appointment.pk, status=Status.BOOKED).update(
            status=status
        )
        if changed != 1:
            raise Conflict("Only a booked appointment can be marked completed or no-show.")
        appointment.status = status
        audit_log(actor=actor, action=f"appointment.{status}", obj=appointment)
    return appointment
