from django.db.models import QuerySet

from clinic.appointments.models import Appointment
from clinic.patients.models import Patient

_JOINS = ("patient__user", "doctor")


def appointment_upcoming_for(*, patient: Patient) -> QuerySet[Appointment]:
    """The patient's active appointments, soonest first."""
    return (
        Appointment.objects.upcoming()
        .filter(patient=patient)
        .select_related(*_JOINS)
        .order_by("date", "start", "pk")
    )


def appointment_history_for(*, patient: Patient) -> QuerySet[Appointment]:
    """Past and cancelled appointments, newest first."""
    return (
        Appointment.objects.past_or_cancelled()
        .filter(patient=patient)
        .select_related(*_JOINS)
        .order_by("-date", "-start", "-pk")
    )
