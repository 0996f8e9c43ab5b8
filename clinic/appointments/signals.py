"""What the appointments app tells higher apps, which connect in their AppConfig.ready().

`slot_freed` is sent after commit whenever an appointment stops holding its slot
(a cancellation by the patient or the clinic, a reschedule away from it), with
`doctor_id`, `day` and `start`: the waitlist offers the slot to the next in line.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

slot_freed = Signal()


def send_slot_freed(*, doctor_id: int, day, start) -> None:
    # After commit the cancellation stands whatever a receiver does: its failure is
    # logged, never turned into an error for the patient who cancelled.
    for receiver, result in slot_freed.send_robust(
        sender="appointments", doctor_id=doctor_id, day=day, start=start
    ):
        if isinstance(result, Exception):
            logger.error("slot_freed receiver %r failed", receiver, exc_info=result)
