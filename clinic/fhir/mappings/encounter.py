"""Encounter <- records.Consultation (one consultation is one ambulatory encounter).

The purpose is the encounter's reason and the diagnosis, coded in ICD-10 when the
doctor gave a code, a second reason; the notes are in the narrative. A consultation
entered in error is `entered-in-error` (patients are never served one:
clinic.fhir.clinical leaves them out).
"""

from clinic.fhir import clinical, clinical_search
from clinic.fhir.mappings.clinical_common import narrative, patient_ref, practitioner_ref
from clinic.fhir.mappings.common import meta, reference
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.records.models import Consultation

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
_AMBULATORY = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "AMB",
    "display": "ambulatory",
}
_PRIMARY_PERFORMER = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": "PPRF",
            "display": "primary performer",
        }
    ]
}


def to_fhir(consultation: Consultation, *, request) -> dict:
    """`consultation` with its patient and doctor loaded (clinic.fhir.clinical)."""
    reasons = [{"text": consultation.purpose}]
    if consultation.icd10 or consultation.diagnosis:
        diagnosis = {"text": consultation.diagnosis or consultation.icd10}
        if consultation.icd10:
            diagnosis["coding"] = [{"system": ICD10_SYSTEM, "code": consultation.icd10}]
        reasons.append(diagnosis)
    resource = {
        "resourceType": "Encounter",
        "id": str(consultation.pk),
        "meta": meta(consultation),
        "text": narrative(
            [
                ("Purpose", consultation.purpose),
                ("Diagnosis", consultation.diagnosis),
                ("ICD-10", consultation.icd10),
                ("Notes", consultation.notes),
            ]
        ),
        "status": "entered-in-error" if consultation.is_entered_in_error else "finished",
        "class": _AMBULATORY,
        "subject": patient_ref(consultation.patient),
        "participant": [
            {"type": [_PRIMARY_PERFORMER], "individual": practitioner_ref(consultation.doctor)}
        ],
        "period": {"start": consultation.date.isoformat(), "end": consultation.date.isoformat()},
        "reasonCode": reasons,
    }
    if consultation.appointment_id:
        resource["appointment"] = [reference("Appointment", consultation.appointment_id)]
    return resource


RESOURCE = ModelResource(
    name="Encounter",
    to_fhir=to_fhir,
    queryset=clinical_search.scoped_queryset(clinical.encounters),
    patient_ids=lambda rows: [row.patient_id for row in rows],
    ordering=("-date", "-pk"),
    params={
        "patient": SearchParam(
            "reference", clinical_search.by_reference("patient_id", "Patient"), "The patient."
        ),
        "date": SearchParam(
            "date", clinical_search.by_day("date"), "The consultation's day (with prefixes)."
        ),
    },
)
