import datetime as dt

from clinic.doctors.cache import doctors_changed
from clinic.doctors.models import Doctor, WeeklySchedule

# The original clinic's day: Monday to Saturday, six 30-minute slots from 09:00.
DEFAULT_SESSION = (dt.time(9, 0), dt.time(12, 0), 30)
DEFAULT_WEEKDAYS = range(0, 6)


def doctor_schedule_default(*, doctor: Doctor) -> None:
    """Give a doctor without any schedule the clinic's default week."""
    if doctor.schedules.exists():
        return
    start, end, minutes = DEFAULT_SESSION
    WeeklySchedule.objects.bulk_create(
        WeeklySchedule(doctor=doctor, weekday=day, start=start, end=end, slot_minutes=minutes)
        for day in DEFAULT_WEEKDAYS
    )
    doctors_changed(doctor_id=doctor.pk)  # bulk_create sends no post_save
