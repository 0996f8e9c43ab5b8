from django.db.models import QuerySet

from clinic.appointments.models import Appointment, Status
from clinic.patients.models import Patient

# Through the patient's related manager every row's `.patient` is the caller's own
# instance (Django's known related objects): no patient and user columns are joined,
# converted and built again for each row (bench/: a third of the history's cost).


def appointment_upcoming_for(*, patient: Patient) -> QuerySet[Appointment]:
    """The patient's active appointments, soonest first."""
    return (
        patient.appointments.upcoming()
        .select_related("doctor")
        .order_by("date", "start", "pk")
    )


def appointment_history_for(*, patient: Patient) -> QuerySet[Appointment]:
    """Past and cancelled appointments, newest first."""
    return (
        patient.appointments.past_or_cancelled()
        .select_related("doctor")
        .order_by("-date", "-start", "-pk")
    )


def appointment_day_of_doctor(*, doctor_id: int, day) -> QuerySet[Appointment]:
    """A doctor's visits of `day` in time order, with patient and visit type joined
    (the doctor's room: "my day"). Visits entered in error are left out."""
    return (
        Appointment.objects.filter(doctor_id=doctor_id, date=day)
        .exclude(status=Status.ENTERED_IN_ERROR)
        .select_related("patient", "visit_type")
        .order_by("start", "pk")
    )
