"""Patient ↔ clinic.patients.Patient; the record number (CMS-000123) is its identifier."""

import phonenumbers
from django.conf import settings
from django.db.models import Q

from clinic.fhir import access
from clinic.fhir.mappings.common import RECORD_NUMBER_SYSTEM, meta
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.fhir.search import parse_date, require_modifier, token_parts
from clinic.patients.models import Patient

GENDER = {"Male": "male", "Female": "female", "Other": "other"}
MR_TYPE = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}],
    "text": "Record number",
}


def to_fhir(patient: Patient, *, request) -> dict:
    resource = {"resourceType": "Patient", "id": str(patient.pk), "meta": meta(patient)}
    if patient.record_number:
        resource["identifier"] = [
            {
                "use": "usual",
                "type": MR_TYPE,
                "system": RECORD_NUMBER_SYSTEM,
                "value": patient.record_number,
            }
        ]
    resource["active"] = True
    name = {"use": "official", "text": patient.name}
    if patient.family_name:
        name["family"] = patient.family_name
    if patient.given_name:
        name["given"] = patient.given_name.split()
    resource["name"] = [name]
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": str(patient.phone), "use": "mobile"})
    if patient.contact_email:
        telecom.append({"system": "email", "value": patient.contact_email})
    if telecom:
        resource["telecom"] = telecom
    resource["gender"] = GENDER.get(patient.gender, "unknown")
    resource["birthDate"] = patient.dob.isoformat()
    if patient.address.strip():
        resource["address"] = [{"use": "home", "text": patient.address.strip()}]
    return resource


# --- search


def _string_q(fields: tuple[str, ...], value: str, modifier: str | None) -> Q:
    """FHIR string search over `fields`: starts with (default), :exact, :contains;
    a word of a multi-word field may start with it too."""
    q = Q()
    for name in fields:
        if modifier == "exact":
            q |= Q(**{name: value})
        elif modifier == "contains":
            q |= Q(**{f"{name}__icontains": value})
        else:
            q |= Q(**{f"{name}__istartswith": value}) | Q(**{f"{name}__icontains": f" {value}"})
    return q


def _string_filter(*fields: str):
    def apply(rows, criterion, request):
        require_modifier(criterion, (None, "exact", "contains"))
        q = Q()
        for value in criterion.values:
            q |= _string_q(fields, value, criterion.modifier)
        return rows.filter(q)

    return apply


def _by_identifier(rows, criterion, request):
    require_modifier(criterion)
    q = Q()
    for value in criterion.values:
        system, code = token_parts(value)
        if system not in (None, RECORD_NUMBER_SYSTEM):
            continue  # another system's identifiers: none of ours
        q |= Q(record_number__iexact=code)
    return rows.filter(q) if q else rows.none()


def _by_birthdate(rows, criterion, request):
    require_modifier(criterion)
    q = Q()
    for value in criterion.values:
        when = parse_date(value)
        first, after = when.low.date(), when.high.date()
        q |= {
            "eq": Q(dob__gte=first, dob__lt=after),
            "ne": ~Q(dob__gte=first, dob__lt=after),
            "gt": Q(dob__gte=after),
            "sa": Q(dob__gte=after),
            "ge": Q(dob__gte=first),
            "lt": Q(dob__lt=first),
            "eb": Q(dob__lt=first),
            "le": Q(dob__lt=after),
        }[when.prefix]
    return rows.filter(q)


def _by_phone(rows, criterion, request):
    require_modifier(criterion)
    numbers = []
    for value in criterion.values:
        try:
            parsed = phonenumbers.parse(value, settings.PHONE_REGION)
        except phonenumbers.NumberParseException:
            continue
        numbers.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    return rows.filter(phone__in=numbers)


def _by_email(rows, criterion, request):
    require_modifier(criterion)
    q = Q()
    for value in criterion.values:
        q |= Q(email__iexact=value) | Q(user__email__iexact=value)
    return rows.filter(q)


def scope(request):
    rows = Patient.objects.select_related("user")
    return access.scoped(request, rows, perm="patients.view_patient", patient_field="pk")


RESOURCE = ModelResource(
    name="Patient",
    to_fhir=to_fhir,
    queryset=scope,
    patient_ids=lambda rows: [row.pk for row in rows],
    params={
        "identifier": SearchParam(
            "token", _by_identifier, f"The record number ({RECORD_NUMBER_SYSTEM}|CMS-000123)."
        ),
        "name": SearchParam(
            "string", _string_filter("given_name", "family_name"), "Any part of the name."
        ),
        "family": SearchParam("string", _string_filter("family_name"), "The family name."),
        "given": SearchParam("string", _string_filter("given_name"), "The given name."),
        "birthdate": SearchParam("date", _by_birthdate, "The date of birth."),
        "phone": SearchParam("token", _by_phone, "The phone number, national or +E.164."),
        "email": SearchParam("token", _by_email, "The email address."),
    },
)
