"""Location ↔ clinic.doctors.Location: the clinic's sites."""

from clinic.doctors.models import Location
from clinic.fhir.mappings.common import meta
from clinic.fhir.mappings.practitioner import name_filter
from clinic.fhir.registry import ModelResource, SearchParam


def to_fhir(location: Location, *, request) -> dict:
    resource = {
        "resourceType": "Location",
        "id": str(location.pk),
        "meta": meta(location),
        "status": "active",
        "name": location.name,
        "mode": "instance",
    }
    telecom = []
    if location.phone:
        telecom.append({"system": "phone", "value": location.phone, "use": "work"})
    if location.map_url:
        telecom.append({"system": "url", "value": location.map_url})
    if telecom:
        resource["telecom"] = telecom
    if location.address:
        resource["address"] = {"use": "work", "text": location.address}
    return resource


RESOURCE = ModelResource(
    name="Location",
    to_fhir=to_fhir,
    queryset=lambda request: Location.objects.all(),
    params={"name": SearchParam("string", name_filter, "Any word of the site's name.")},
)
