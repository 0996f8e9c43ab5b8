"""Whose clinical record a staff login may read (docs/roles.md, "Record scope").

Clinical content (notes, diagnoses, prescriptions, results) needs
records.view_consultation_notes. With records.view_all_records (the manager's)
that is any patient; otherwise the login must be a doctor's, and the patient one
they see: an appointment, a consultation or a lab order of that doctor's.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from clinic.appointments.models import Appointment, Status
from clinic.labs.models import LabReport
from clinic.patients.models import Patient
from clinic.records.models import Consultation
from clinic.staff.selectors import doctor_of


def patients_seen_by(*, doctor_id: int) -> QuerySet[Patient]:
    """The patients a doctor sees or has seen, as one query."""
    patient = OuterRef("pk")
    return Patient.objects.filter(
        Q(Exists(Appointment.objects.filter(doctor_id=doctor_id, patient=patient)
                 .exclude(status=Status.ENTERED_IN_ERROR)))
        | Q(Exists(Consultation.objects.filter(doctor_id=doctor_id, patient=patient)))
        | Q(Exists(LabReport.objects.filter(doctor_id=doctor_id, patient=patient)))
    )


def staff_may_open_record(*, user, patient_id: int) -> bool:
    """Whether `user` may read the clinical content of patient `patient_id`'s record."""
    if not user.has_perm("records.view_consultation_notes"):
        return False
    if user.has_perm("records.view_all_records"):
        return True
    doctor = doctor_of(user)
    if doctor is None:
        return False
    return patients_seen_by(doctor_id=doctor.pk).filter(pk=patient_id).exists()
