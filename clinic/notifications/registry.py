"""Which app builds which message and handles which event, filled in by the apps themselves.

Notifications is a lower layer: it never imports the apps that use it. Each
app registers its message types and event handlers in `AppConfig.ready()`, as
apps register models with django.contrib.admin, so the arrows only point down:

    # clinic/labs/apps.py
    def ready(self):
        from clinic.labs import notifications
        notifications.register()

A message type is a template set (`notifications/<template>/...`) plus a
builder that loads its data at send time from the ids on the outbox row and
returns None when the message is no longer worth sending. An event handler
turns one OutboxEvent into OutgoingMessage rows (usually with patient_notify).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MessageType:
    template: str
    builder: Callable[[dict], dict | None]
    # The content changes with every attempt (a one-time code drawn at send
    # time), so each attempt is a new message to the receiver, not a retry.
    fresh_each_attempt: bool = False


_message_types: dict[str, MessageType] = {}
_event_handlers: dict[str, Callable] = {}


def message_type_register(
    *, template: str, builder: Callable[[dict], dict | None], fresh_each_attempt: bool = False
) -> None:
    _check_unique(template, _message_types, "message type")
    _message_types[template] = MessageType(template, builder, fresh_each_attempt)


def event_handler_register(*, name: str, handler: Callable) -> None:
    """`handler(event)` queues the messages for one OutboxEvent; it runs in the worker."""
    _check_unique(name, _event_handlers, "event")
    _event_handlers[name] = handler


def _check_unique(name: str, registry: dict, kind: str) -> None:
    if name in registry:
        raise ValueError(f"The {kind} {name!r} is registered twice.")


def message_type(template: str) -> MessageType:
    try:
        return _message_types[template]
    except KeyError:
        raise ValueError(f"Unknown message template {template!r}") from None


def event_handler(name: str) -> Callable:
    try:
        return _event_handlers[name]
    except KeyError:
        raise ValueError(f"Unknown notification event {name!r}") from None


def message_templates() -> set[str]:
    return set(_message_types)


def event_names() -> set[str]:
    return set(_event_handlers)
