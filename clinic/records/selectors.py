from django.db.models import Prefetch, QuerySet

from clinic.appointments.models import Appointment
from clinic.patients.models import Patient
from clinic.records.models import Consultation, PrescriptionLine


def consultation_list_for(*, patient: Patient) -> QuerySet[Consultation]:
    """The patient's consultations, newest first, with doctor and prescription lines loaded.

    Records entered in error are left out, consultations and lines alike: the
    patient sees only what stands. Staff read them in the admin, with history.
    """
    # Each row's `.patient` is `patient` itself (the related manager), not a joined copy.
    return (
        patient.consultations.live()
        .select_related("doctor")
        .prefetch_related(Prefetch("lines", queryset=prescription_lines_live()))
        .order_by("-date", "-pk")
    )


def prescription_lines_live() -> QuerySet[PrescriptionLine]:
    """Lines not entered in error, in prescription order."""
    return PrescriptionLine.objects.live().order_by("position", "pk")


def consultation_of(*, appointment: Appointment) -> Consultation | None:
    """The visit's live consultation, if one was started."""
    return Consultation.objects.live().filter(appointment=appointment).first()
