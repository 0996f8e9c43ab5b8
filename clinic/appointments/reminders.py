"""The day-before reminder: claimed per appointment, so it goes out once.

Two runs at the same moment (cron on two machines) both see the appointment,
but only one wins the compare-and-swap on `reminder_sent_at`; the claim and the
queued messages commit together, so a crash leaves neither.
"""

import datetime as dt

from django.db import transaction

from clinic.appointments.models import Appointment, Status
from clinic.appointments.notifications import REMINDER
from clinic.core import clock
from clinic.notifications.services import patient_notify


def reminders_send(*, day: dt.date | None = None) -> int:
    """Queue reminders for the booked appointments on `day` (default: tomorrow)."""
    day = day or clock.today() + dt.timedelta(days=1)
    candidates = Appointment.objects.filter(
        status=Status.BOOKED, date=day, reminder_sent_at__isnull=True
    ).values_list("pk", flat=True)
    claimed = 0
    for pk in list(candidates):
        with transaction.atomic():
            won = Appointment.objects.filter(
                pk=pk, status=Status.BOOKED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=clock.now())
            if won != 1:
                continue
            appointment = Appointment.objects.select_related("patient__user").get(pk=pk)
            patient_notify(
                patient=appointment.patient,
                template=REMINDER,
                context={"appointment_id": pk},
                key=f"{REMINDER}:{pk}",
            )
            claimed += 1
    return claimed
