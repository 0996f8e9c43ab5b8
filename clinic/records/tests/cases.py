"""Visits to write consultations for, made directly in the state a test needs."""

import datetime as dt

from clinic.appointments.models import Appointment, Status
from clinic.testing import FIXED_NOW

DAY = FIXED_NOW.date()


def visit_for(patient, doctor, *, status=Status.ARRIVED, day=DAY, start=dt.time(9, 0)):
    end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=30)).time()
    return Appointment.objects.create(
        patient=patient,
        doctor=doctor,
        date=day,
        start=start,
        end=end,
        slot_number=1,
        status=status,
        reason="Cough for a week",
    )
