"""Response rows built by hand from `.values()` rows, in the seed's shapes.

The patient API's list endpoints answer with plain dicts instead of running their
OutputSerializer over model instances: DRF's per-field work and building a model
instance per row were a large share of their CPU (issue #6; e.g. history 5.7 -> 2.3 ms a
request in-process). The serializers stay as the documented schema, and
clinic/api/tests/test_rows.py checks that both give the same JSON byte for byte.
"""

from django.db.models.fields.files import FieldFile

from clinic.api.fields import seed_date, seed_slot
from clinic.patients.models import Patient

__all__ = ["DOCTOR_REF", "doctor_ref", "patient_ref", "seed_date", "seed_slot", "stored_file"]

# The columns doctor_ref reads, for `.values(*DOCTOR_REF)` on a model with a `doctor`.
DOCTOR_REF = (
    "doctor_id",
    "doctor__name",
    "doctor__gender",
    "doctor__specialty",
    "doctor__office_number",
)


def doctor_ref(row: dict) -> dict:
    """DoctorRefSerializer's shape from a row holding the DOCTOR_REF columns."""
    return {
        "doctor_id": row["doctor_id"],
        "name": row["doctor__name"],
        "gender": row["doctor__gender"],
        "domain": row["doctor__specialty"],
        "ofiice_number": row["doctor__office_number"],
    }


def patient_ref(patient: Patient) -> dict:
    """PatientRefSerializer's shape for `patient`, whose `.user` is loaded.

    Every row of a patient's own list shares it: the selectors go through the
    patient's related managers, so each row's patient is this one.
    """
    return {
        "id": patient.user_id,
        "name": patient.name,
        "username": patient.user.username,
        "gender": patient.gender,
    }


def stored_file(model, field_name: str, name: str | None) -> FieldFile:
    """The FieldFile an instance of `model` holds for a stored `name`, as file_url takes it."""
    field = model._meta.get_field(field_name)
    return field.attr_class(None, field, name)
