"""The free slots the desk offers, from the doctors' slot selector."""

import datetime as dt

from clinic.doctors.models import Doctor
from clinic.doctors.selectors import doctor_free_slots, doctor_list


def free_slots(*, doctor: Doctor | None, day: dt.date) -> list[tuple[Doctor, list[dt.time]]]:
    """`doctor`'s free slots on `day`, or (None) every doctor's with free slots, the
    doctor free first at the top: the first free with anyone."""
    doctors = [doctor] if doctor is not None else list(doctor_list())
    found = [(d, doctor_free_slots(doctor=d, day=day)) for d in doctors]
    found = [(d, times) for d, times in found if times]
    return sorted(found, key=lambda item: (item[1][0], item[0].name))
