"""The cast of the doctor's room and lab tests (not a test module): two doctors with their
logins, a patient of the first with a visit today, and a login for every other role.

Time is FIXED_NOW (Monday 08:00 in the clinic); today's visits start at 09:00.
"""

import datetime as dt
from dataclasses import dataclass, field

from clinic.appointments.models import Status
from clinic.appointments.services import appointment_book, appointment_change_status
from clinic.core import clock
from clinic.staff.roles import Role
from clinic.testing import make_doctor, make_patient, make_staff, verified_login

CALLERS = ["anonymous", "patient", "front_desk", "doctor", "other_doctor", "lab", "manager"]


@dataclass
class Cast:
    doctor: object
    other_doctor: object
    patient: object
    visit: object
    users: dict = field(default_factory=dict)


def slot(n: int) -> dt.time:
    """The n-th 30-minute slot of the default session (09:00, 09:30, ...)."""
    minutes = 9 * 60 + 30 * n
    return dt.time(minutes // 60, minutes % 60)


def make_cast() -> Cast:
    doctor = make_doctor(name="Dr. Mira Room")
    other = make_doctor(name="Dr. Otto Other")
    patient = make_patient(first_name="Priya", last_name="Patel")
    patient.allergies = "Penicillin: rash"
    patient.alerts = "Hard of hearing"
    patient.save(update_fields=["allergies", "alerts"])
    visit = appointment_book(patient=patient, doctor=doctor, day=clock.today(), start=slot(2),
                             reason="Cough for a week")
    users = {
        "front_desk": make_staff(Role.FRONT_DESK),
        "doctor": make_staff(Role.DOCTOR, doctor=doctor, first_name="Mira", last_name="Room"),
        "other_doctor": make_staff(Role.DOCTOR, doctor=other),
        "lab": make_staff(Role.LAB),
        "manager": make_staff(Role.MANAGER),
        "patient": patient.user,
    }
    return Cast(doctor=doctor, other_doctor=other, patient=patient, visit=visit, users=users)


def arrive(appointment, actor):
    return appointment_change_status(appointment=appointment, status=Status.ARRIVED, actor=actor)


def sign_in(client, cast: Cast, caller: str) -> None:
    if caller == "anonymous":
        return
    if caller == "patient":
        client.force_login(cast.patient.user)
    else:
        verified_login(client, cast.users[caller])
