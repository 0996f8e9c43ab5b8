"""Practitioner ↔ clinic.doctors.Doctor (all doctors: past visits still point at
inactive ones, so they stay readable, with `active: false`)."""

from django.db.models import Q

from clinic.doctors.models import Doctor
from clinic.fhir.mappings.common import meta
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import require_modifier

GENDER = {"Male": "male", "Female": "female", "Other": "other"}
TITLES = ("Dr.", "Dr", "Prof.", "Prof")


def human_name(full: str) -> dict:
    """'Dr. Asha Rao' → text, prefix ['Dr.'], given ['Asha'], family 'Rao'."""
    name = {"use": "official", "text": full}
    words = full.split()
    prefix = []
    while words and words[0] in TITLES:
        prefix.append(words.pop(0))
    if prefix:
        name["prefix"] = prefix
    if words:
        name["family"] = words[-1]
    if len(words) > 1:
        name["given"] = words[:-1]
    return name


def to_fhir(doctor: Doctor, *, request) -> dict:
    resource = {
        "resourceType": "Practitioner",
        "id": str(doctor.pk),
        "meta": meta(doctor),
        "active": doctor.is_active,
        "name": [human_name(doctor.name)],
        "gender": GENDER.get(doctor.gender, "unknown"),
    }
    if doctor.birth_date:
        resource["birthDate"] = doctor.birth_date.isoformat()
    return resource


def name_filter(rows, criterion, request):
    """A word of the name starts with the value (default), :exact, or :contains."""
    require_modifier(criterion, (None, "exact", "contains"))
    q = Q()
    for value in criterion.values:
        if criterion.modifier == "exact":
            q |= Q(name=value)
        elif criterion.modifier == "contains":
            q |= Q(name__icontains=value)
        else:
            q |= Q(name__istartswith=value) | Q(name__icontains=f" {value}")
    return rows.filter(q)


RESOURCE = ModelResource(
    name="Practitioner",
    to_fhir=to_fhir,
    queryset=lambda request: Doctor.objects.all(),
    params={"name": SearchParam("string", name_filter, "Any word of the name.")},
)
