"""Tasks are thin: they take ids and call services."""

from django_tasks import task

from clinic.notifications import events, services


@task()
def send_message(message_id: int) -> str:
    return services.message_send(message_id=message_id)


@task()
def notify(event: str, object_id: int) -> None:
    events.event_notify(event=event, object_id=object_id)
