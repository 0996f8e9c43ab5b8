"""Tasks are thin: they take ids and call services."""

from django_tasks import task

from clinic.notifications import events, services


@task()
def send_message(message_id: int) -> str:
    return services.message_send(message_id=message_id)


@task()
def deliver_event(event_id: int) -> str:
    return events.event_deliver(event_id=event_id)


@task()
def notify(event: str, object_id: int) -> None:
    """Tasks queued before events became rows (an upgrade with a full queue) still arrive."""
    events.event_emit(name=event, object_id=object_id)
