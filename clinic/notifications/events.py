"""What the domain tells the notification system. Called after commit, with ids only.

The notifications issue turns each event into queued email and SMS messages.
"""


def appointment_booked(*, appointment_id: int) -> None:
    pass


def appointment_cancelled(*, appointment_id: int) -> None:
    pass


def lab_report_ready(*, report_id: int) -> None:
    pass
