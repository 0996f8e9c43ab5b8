"""Appointment ↔ clinic.appointments.Appointment: read, search, booking and cancelling.

Booking (`POST /fhir/Appointment`) and cancelling (`PUT` with status cancelled, or a
JSON Patch to it) go through the same services as /cms-api/booking/
(clinic.appointments.services), so the same rules, messages and races apply: a
taken slot is a 409 whichever interface booked it.
"""

import datetime as dt

import jsonpatch
import jsonpointer
from django.db.models import Q

from clinic.appointments.models import FHIR_STATUS, Appointment, CancelledBy, Status
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_clinic,
)
from clinic.core import clock
from clinic.core.errors import Forbidden, NotFound
from clinic.doctors.models import Doctor
from clinic.doctors.selectors import location_of_visit
from clinic.fhir import access
from clinic.fhir.errors import FhirError, ResourceNotFound
from clinic.fhir.mappings.common import instant, meta, reference, request_memo
from clinic.fhir.mappings.slot import parse_slot_id, slot_id
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import int_id, parse_date, reference_id, require_modifier, token_parts
from clinic.patients.models import Patient

VIEW, BOOK, CHANGE = (
    "appointments.view_appointment",
    "appointments.add_appointment",
    "appointments.change_appointment",
)
STATUS_OF_FHIR = {code: status for status, code in FHIR_STATUS.items()}
CANCELLED_BY = {
    CancelledBy.PATIENT: "Cancelled by the patient",
    CancelledBy.CLINIC: "Cancelled by the clinic",
}
MAX_REASON = 200


def to_fhir(appointment: Appointment, *, request) -> dict:
    memo = request_memo(request)
    zone = memo.zone
    start = appointment.start
    # clock.combine, with the zone looked up once per request.
    starts = dt.datetime.combine(appointment.date, start, tzinfo=zone)
    ends = dt.datetime.combine(appointment.date, appointment.end, tzinfo=zone)
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "meta": meta(appointment, zone),
        "status": FHIR_STATUS[appointment.status],
    }
    if appointment.status == Status.CANCELLED and appointment.cancelled_by:
        resource["cancelationReason"] = {"text": CANCELLED_BY[appointment.cancelled_by]}
    resource["serviceType"] = [{"text": appointment.visit_type.name}]
    if appointment.reason:
        resource["description"] = appointment.reason
    resource.update(
        {
            "start": instant(starts, zone),
            "end": instant(ends, zone),
            "minutesDuration": int((ends - starts).total_seconds() // 60),
            "slot": [reference("Slot", slot_id(appointment.doctor_id, appointment.date, start))],
            "created": instant(appointment.created_at, zone),
        }
    )
    participants = [
        _participant(reference("Patient", appointment.patient_id, appointment.patient.name)),
        _participant(reference("Practitioner", appointment.doctor_id, appointment.doctor.name)),
    ]
    # Appointment.location, with each doctor's week read from the cache once per request.
    site = location_of_visit(
        doctor_id=appointment.doctor_id, day=appointment.date, start=start,
        memo=memo.doctor_weeks,
    )
    if site is not None:
        participants.append(_participant(reference("Location", site["id"], site["name"])))
    resource["participant"] = participants
    return resource


def _participant(actor: dict) -> dict:
    return {"actor": actor, "required": "required", "status": "accepted"}


def _rows():
    return Appointment.objects.select_related("patient__user", "doctor", "visit_type")


# What to_fhir reads. A search maps up to 100 rows, and loading whole patient and login
# rows (a phone number is parsed as each row loads) cost more than the mapping.
MAPPED_COLUMNS = (
    "status", "cancelled_by", "reason", "date", "start", "end", "created_at", "updated_at",
    "patient_id", "doctor_id", "visit_type_id",
    "patient__given_name", "patient__family_name", "patient__record_number",
    "patient__user_id", "patient__user__username", "doctor__name", "visit_type__name",
)


def scope(request):
    return access.scoped(request, _rows().only(*MAPPED_COLUMNS), perm=VIEW)


# --- search


def _by_reference(field: str, kind: str):
    def apply(rows, criterion, request):
        ids = []
        for value in criterion.values:
            found, ident = reference_id(value, types=(kind,), modifier=criterion.modifier)
            if found == kind and (pk := int_id(ident)) is not None:
                ids.append(pk)
        return rows.filter(**{f"{field}__in": ids})

    return apply


def _local(at: dt.datetime) -> tuple[dt.date, dt.time]:
    local = at.astimezone(clock.now().tzinfo)
    return local.date(), local.time()


def _from(at: dt.datetime) -> Q:
    """Starts at or after `at`."""
    day, time = _local(at)
    return Q(date__gt=day) | Q(date=day, start__gte=time)


def _by_date(rows, criterion, request):
    require_modifier(criterion)
    q = Q()
    for value in criterion.values:
        when = parse_date(value)
        within = _from(when.low) & ~_from(when.high)
        q |= {
            "eq": within,
            "ne": ~within,
            "gt": _from(when.high),
            "sa": _from(when.high),
            "ge": _from(when.low),
            "lt": ~_from(when.low),
            "eb": ~_from(when.low),
            "le": ~_from(when.high),
        }[when.prefix]
    return rows.filter(q)


def _by_status(rows, criterion, request):
    require_modifier(criterion)
    codes = [token_parts(value)[1] for value in criterion.values]
    statuses = [STATUS_OF_FHIR[code] for code in codes if code in STATUS_OF_FHIR]
    return rows.filter(status__in=statuses)


# --- writes


def _invalid(message: str) -> FhirError:
    return FhirError(message, status=400, code="invalid")


def _one_reference(items, kind: str) -> int | None:
    """The id of the only `kind` reference among the participants' actors, if any."""
    found = []
    for item in items:
        actor = item.get("actor") if isinstance(item, dict) else None
        ref = actor.get("reference") if isinstance(actor, dict) else None
        if isinstance(ref, str) and ref.split("/")[-2:-1] == [kind]:
            found.append(ref.split("/")[-1])
    if not found:
        return None
    if len(found) > 1:
        raise _invalid(f"Name one {kind} among the participants.")
    pk = int_id(found[0])
    if pk is None:
        raise _invalid(f"{kind}/{found[0]} is not known.")
    return pk


def _check_instant(body: dict, name: str, expected: dt.datetime) -> None:
    value = body.get(name)
    if value is None:
        return
    try:
        given = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"{name}: not a FHIR instant.") from None
    if given.tzinfo is None or given != expected:
        raise _invalid(f"{name} must be the slot's {name}, {instant(expected)}.")


def _resource_body(body, resource_id: str | None = None) -> dict:
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise _invalid("The body must be an Appointment resource.")
    # An update names the resource in the URL; a body that names another is refused.
    if resource_id is not None and body.get("id", resource_id) != resource_id:
        raise _invalid(f"The body's id must be {resource_id!r}, the id in the URL.")
    return body


def create(request, body) -> tuple[dict, int]:
    """Book: status booked, one free Slot, the caller's Patient (or a dependant's)."""
    body = _resource_body(body)
    if body.get("status") != "booked":
        raise _invalid("A new Appointment has status booked.")
    slots = body.get("slot")
    if not isinstance(slots, list) or len(slots) != 1 or not isinstance(slots[0], dict):
        raise _invalid("Name exactly one slot: [{\"reference\": \"Slot/<id>\"}].")
    ref = slots[0].get("reference")
    parsed = parse_slot_id(ref.split("/")[-1]) if isinstance(ref, str) and "Slot/" in ref else None
    if parsed is None:
        raise _invalid(f"slot: {str(ref)[:80]!r} is not a Slot of this server.")
    doctor_id, day, start = parsed
    participants = body.get("participant")
    if not isinstance(participants, list):
        raise _invalid("participant: list the Patient to book for.")
    patient_id = _one_reference(participants, "Patient")
    if patient_id is None:
        raise _invalid("participant: list the Patient to book for.")
    practitioner_id = _one_reference(participants, "Practitioner")
    if practitioner_id is not None and practitioner_id != doctor_id:
        raise _invalid("participant: the Practitioner must be the slot's.")
    starts = clock.combine(day, start)
    _check_instant(body, "start", starts)
    reason = body.get("description", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise _invalid(f"description: at most {MAX_REASON} characters.")
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.may_act_for(request, patient.pk, perm=BOOK):
        raise _invalid(f"participant: Patient/{patient_id} is not a patient you may book for.")
    doctor = Doctor.objects.filter(pk=doctor_id).first()
    if doctor is None:
        raise _invalid(f"slot: {ref} is not a Slot of this server.")
    try:
        appointment = appointment_book(
            patient=patient, doctor=doctor, day=day, start=start, reason=reason.strip(),
            actor=request.user,
        )
    except NotFound as exc:
        raise FhirError(exc.message, status=409, code="conflict") from None
    return to_fhir(_rows().get(pk=appointment.pk), request=request), 201


def _visible(request, resource_id: str) -> Appointment:
    pk = int_id(resource_id)
    # Whole rows: the cancel services read and write more than to_fhir does.
    rows = access.scoped(request, _rows(), perm=VIEW)
    appointment = rows.filter(pk=pk).first() if pk is not None else None
    if appointment is None:
        raise ResourceNotFound(f"Appointment/{resource_id} is not known.")
    return appointment


def _actors(resource: dict) -> set:
    return {
        (p.get("actor") or {}).get("reference") if isinstance(p, dict) else repr(p)
        for p in resource.get("participant") or []
    }


def _changed(current: dict, wanted: dict) -> list[str]:
    """The elements `wanted` changes, besides status. Elements left out are not
    changes (a client may send back less than it read); displays do not count."""
    ignored = {"meta", "status", "cancelationReason", "id", "resourceType", "text"}
    changed = []
    for key, value in wanted.items():
        if key in ignored:
            continue
        if key == "participant":
            if _actors(wanted) != _actors(current):
                changed.append(key)
        elif key == "slot":
            refs = [s.get("reference") if isinstance(s, dict) else s for s in value or []]
            if refs != [s["reference"] for s in current.get("slot", [])]:
                changed.append(key)
        elif value != current.get(key):
            changed.append(key)
    return changed


def _change_to(request, appointment: Appointment, current: dict, wanted: dict) -> tuple[dict, int]:
    """Apply `wanted` (the Appointment as the client wants it): only the status may
    change, and only to cancelled."""
    if changed := _changed(current, wanted):
        raise FhirError(
            f"Only the status can change here (to cancelled), not {', '.join(changed)}; to"
            " move a visit, book a new slot and cancel this one.",
            status=422, code="business-rule",
        )
    status = wanted.get("status")
    if status == current["status"]:
        return current, 200
    if status != "cancelled":
        raise FhirError(
            "An appointment can only be cancelled here.", status=422, code="business-rule"
        )
    _cancel(request, appointment)
    return to_fhir(_rows().get(pk=appointment.pk), request=request), 200


def _cancel(request, appointment: Appointment) -> None:
    if not appointment.is_upcoming:
        raise FhirError(
            f"This appointment is {FHIR_STATUS[appointment.status]}: it can no longer be"
            " cancelled.",
            status=409, code="conflict",
        )
    if access.is_staff_caller(request):
        if not request.user.has_perm(CHANGE):
            raise Forbidden("Your role may not cancel appointments.")
        appointment_cancel_by_clinic(appointments=[appointment], actor=request.user)
    else:
        appointment_cancel(patient=appointment.patient, ids=[appointment.pk], actor=request.user)


def update(request, resource_id: str, body) -> tuple[dict, int]:
    """PUT: the whole Appointment back, with status cancelled."""
    appointment = _visible(request, resource_id)
    wanted = _resource_body(body, resource_id)
    return _change_to(request, appointment, to_fhir(appointment, request=request), wanted)


def patch(request, resource_id: str, operations) -> tuple[dict, int]:
    """JSON Patch (RFC 6902) of the Appointment, e.g. replace /status with cancelled."""
    appointment = _visible(request, resource_id)
    if not isinstance(operations, list):
        raise _invalid("A JSON Patch is a list of operations.")
    current = to_fhir(appointment, request=request)
    try:
        wanted = jsonpatch.apply_patch(current, operations)
    except jsonpatch.JsonPatchTestFailed as exc:
        raise FhirError(f"The patch's test failed: {exc}", status=409, code="conflict") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError,
            KeyError, IndexError, ValueError) as exc:
        raise _invalid(f"The patch cannot be applied: {exc}") from None
    if not isinstance(wanted, dict):
        raise _invalid("The patched document is not an Appointment.")
    _resource_body(wanted, resource_id)
    return _change_to(request, appointment, current, wanted)


RESOURCE = ModelResource(
    name="Appointment",
    to_fhir=to_fhir,
    queryset=scope,
    patient_ids=lambda rows: [row.patient_id for row in rows],
    ordering=("date", "start", "pk"),
    columns=("id", *MAPPED_COLUMNS),
    params={
        "patient": SearchParam("reference", _by_reference("patient_id", "Patient"), "The patient."),
        "practitioner": SearchParam(
            "reference", _by_reference("doctor_id", "Practitioner"), "The doctor."
        ),
        "date": SearchParam("date", _by_date, "When the visit starts (with a prefix)."),
        "status": SearchParam(
            "token", _by_status,
            "booked, arrived, checked-in, fulfilled, noshow, cancelled or entered-in-error.",
        ),
    },
    create=create,
    update=update,
    patch=patch,
)
