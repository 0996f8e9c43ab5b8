"""Schedule ↔ clinic.doctors.Doctor: one per doctor (same id), whose Slots are the
doctor's bookable times within the booking window."""

from django.db.models import Q

from clinic.doctors.models import Doctor, WeeklySchedule
from clinic.doctors.selectors import booking_window
from clinic.fhir.mappings.common import meta, reference
from clinic.fhir.mappings.practitioner_role import site_ids, specialty, with_sessions
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import int_id, reference_id

ACTOR_TYPES = ("Practitioner", "PractitionerRole", "Location")


def to_fhir(doctor: Doctor, *, request) -> dict:
    first, last = booking_window()
    resource = {
        "resourceType": "Schedule",
        "id": str(doctor.pk),
        "meta": meta(doctor),
        "active": doctor.is_active,
        "actor": [
            reference("Practitioner", doctor.pk, doctor.name),
            reference("PractitionerRole", doctor.pk),
            *(reference("Location", pk) for pk in site_ids(doctor)),
        ],
        "planningHorizon": {
            "start": first.isoformat(),
            "end": last.isoformat(),
        },
        "comment": f"The bookable times of {doctor.name}.",
    }
    if specialties := specialty(doctor):
        resource["specialty"] = specialties
    return resource


def _by_actor(rows, criterion, request):
    q = Q(pk__in=[])
    for value in criterion.values:
        kind, ident = reference_id(value, types=ACTOR_TYPES, modifier=criterion.modifier)
        pk = int_id(ident)
        if pk is None:
            continue
        if kind == "Location":
            doctors = WeeklySchedule.objects.filter(location_id=pk).values("doctor_id")
            q |= Q(pk__in=doctors)
        elif kind in ("Practitioner", "PractitionerRole"):
            q |= Q(pk=pk)
    return rows.filter(q)


RESOURCE = ModelResource(
    name="Schedule",
    to_fhir=to_fhir,
    queryset=lambda request: with_sessions(Doctor.objects.all()),
    params={
        "actor": SearchParam(
            "reference", _by_actor, "The doctor (Practitioner or PractitionerRole) or a site."
        ),
    },
)
