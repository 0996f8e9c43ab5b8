"""The FHIR requests of the benchmark, shared by the locustfile and bench/queries.py."""

import datetime as dt

FHIR_READS = ["fhir_slots", "fhir_appointments", "fhir_patient"]


def fhir_path(scenario: str, *, patient_id: int, doctor: int, day: str) -> str:
    """Slot search for a doctor and day, Appointment search and Patient read of the caller."""
    if scenario == "fhir_slots":
        next_day = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        return f"/fhir/Slot?schedule=Schedule/{doctor}&start=ge{day}&start=lt{next_day}"
    if scenario == "fhir_appointments":
        return f"/fhir/Appointment?patient=Patient/{patient_id}"
    return f"/fhir/Patient/{patient_id}"
