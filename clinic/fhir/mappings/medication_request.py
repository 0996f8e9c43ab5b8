"""MedicationRequest <- records.PrescriptionLine (one line of a consultation's prescription).

Dose, frequency and duration are free text in the clinic, so they are the dosage's
text rather than coded quantities. The status is `unknown`: the clinic records what
was prescribed, not whether the course is still being taken.
"""

from clinic.fhir.mappings.clinical_common import patient_ref, practitioner_ref, reference
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
