"""MedicationRequest <- records.PrescriptionLine (one line of a consultation's prescription).

Dose, frequency and duration are free text in the clinic, so they are the dosage's
text rather than coded quantities. The status is `unknown`: the clinic records what
was prescribed, not whether the course is still being taken.
"""

from clinic.fhir import clinical, clinical_search
from clinic.fhir.mappings.clinical_common import patient_ref, practitioner_ref
from clinic.fhir.mappings.common import reference
from clinic.fhir.registry import ModelResource, SearchParam
from clinic.records.models import PrescriptionLine


def to_fhir(line: PrescriptionLine, *, request) -> dict:
    """`line` with its consultation, the consultation's patient and doctor loaded."""
    consultation = line.consultation
    dosage = {
        "sequence": 1,
        "text": ", ".join(
            part
            for part in (line.dose, line.frequency, f"for {line.duration}" if line.duration else "")
            if part
        ),
        "timing": {"code": {"text": line.frequency}},
    }
    if line.instructions:
        dosage["patientInstruction"] = line.instructions
    entered_in_error = line.is_entered_in_error or consultation.is_entered_in_error
    return {
        "resourceType": "MedicationRequest",
        "id": str(line.pk),
        "status": "entered-in-error" if entered_in_error else "unknown",
        "intent": "order",
        "medicationCodeableConcept": {"text": line.medicine},
        "subject": patient_ref(consultation.patient),
        "encounter": reference("Encounter", consultation.pk),
        "authoredOn": consultation.date.isoformat(),
        "requester": practitioner_ref(consultation.doctor),
        "dosageInstruction": [dosage],
    }


RESOURCE = ModelResource(
    name="MedicationRequest",
    to_fhir=to_fhir,
    queryset=clinical_search.scoped_queryset(
        clinical.medication_requests, patient_field="consultation__patient_id"
    ),
    patient_ids=lambda rows: [row.consultation.patient_id for row in rows],
    ordering=("-consultation__date", "-consultation_id", "position", "pk"),
    params={
        "patient": SearchParam(
            "reference",
            clinical_search.by_reference("consultation__patient_id", "Patient"),
            "The patient.",
        ),
        "encounter": SearchParam(
            "reference",
            clinical_search.by_reference("consultation_id", "Encounter"),
            "The consultation (Encounter) that prescribed it.",
        ),
    },
)
