"""Domain errors shown where the user looks: on the form field, or as a message."""

from django.contrib import messages

from clinic.core.errors import ApplicationError


def _strip_label(field: str, message: str) -> str:
    # Services prefix messages with the field name ("email: ..."), which the
    # form already shows as the label.
    prefix = f"{field}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def form_add_error(form, exc: ApplicationError, *, field_map: dict | None = None) -> None:
    """Put a service's error on the matching form fields, else on the form itself."""
    fields = getattr(exc, "fields", None) or ({exc.field: [exc.message]} if exc.field else {})
    placed = False
    for name, errors in fields.items():
        target = (field_map or {}).get(name, name)
        for error in errors:
            if target in form.fields:
                form.add_error(target, _strip_label(name, str(error)))
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def message_error(request, exc: ApplicationError) -> None:
    messages.error(request, exc.message)
