"""PractitionerRole ↔ clinic.doctors.Doctor: the doctor's specialty, the sites of
their sessions and their weekly hours. One role per doctor, with the doctor's id."""

from django.db.models import Prefetch, Q

from clinic.doctors.models import Doctor, WeeklySchedule
from clinic.fhir.mappings.common import SPECIALTY_SYSTEM, meta, reference
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import int_id, reference_id, require_modifier, token_parts

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def specialty(doctor: Doctor) -> list[dict]:
    if not doctor.specialty.strip():
        return []
    text = " ".join(doctor.specialty.split())
    return [{"coding": [{"system": SPECIALTY_SYSTEM, "code": text, "display": text}], "text": text}]


def site_ids(doctor: Doctor) -> list[int]:
    """The sites of the doctor's sessions (from the prefetched `schedules`)."""
    return sorted({session.location_id for session in doctor.schedules.all()})


def with_sessions(rows):
    return rows.prefetch_related(
        Prefetch("schedules", queryset=WeeklySchedule.objects.order_by("weekday", "start"))
    )


def to_fhir(doctor: Doctor, *, request) -> dict:
    resource = {
        "resourceType": "PractitionerRole",
        "id": str(doctor.pk),
        "meta": meta(doctor),
        "active": doctor.is_active,
        "practitioner": reference("Practitioner", doctor.pk, doctor.name),
    }
    if specialties := specialty(doctor):
        resource["specialty"] = specialties
    if sites := site_ids(doctor):
        resource["location"] = [reference("Location", pk) for pk in sites]
    hours = [
        {
            "daysOfWeek": [DAYS[session.weekday]],
            "availableStartTime": session.start.isoformat(timespec="seconds"),
            "availableEndTime": session.end.isoformat(timespec="seconds"),
        }
        for session in doctor.schedules.all()
    ]
    if hours:
        resource["availableTime"] = hours
    return resource


def _by_practitioner(rows, criterion, request):
    ids = []
    for value in criterion.values:
        kind, ident = reference_id(value, types=("Practitioner",), modifier=criterion.modifier)
        if kind == "Practitioner" and (pk := int_id(ident)) is not None:
            ids.append(pk)
    return rows.filter(pk__in=ids)


def specialty_filter(rows, criterion, request):
    """Token search on the specialty: `code` or `urn:cms:specialty|code`, any case."""
    require_modifier(criterion, (None, "text"))
    q = Q()
    for value in criterion.values:
        system, code = token_parts(value)
        if criterion.modifier == "text":
            q |= Q(specialty__icontains=value)
        elif system in (None, SPECIALTY_SYSTEM):
            q |= Q(specialty__iexact=code)
    return rows.filter(q) if q else rows.none()


RESOURCE = ModelResource(
    name="PractitionerRole",
    to_fhir=to_fhir,
    queryset=lambda request: with_sessions(Doctor.objects.all()),
    params={
        "practitioner": SearchParam("reference", _by_practitioner, "The doctor."),
        "specialty": SearchParam("token", specialty_filter, "The specialty, e.g. Cardiology."),
    },
)
