"""Domain errors shown where the user looks: on the form field, or as a message.

Services write their messages for the API's ERR format, "field: message"
("otp: The code is wrong..."). A patient never sees the field's name: every
portal path that shows a service's message goes through `user_message`.
"""

import re

from django.contrib import messages

from clinic.core.errors import ApplicationError

# A leading API field name: lower-case, as in "otp: ", "reset_token: ", "booking-ids: ".
_FIELD_PREFIX = re.compile(r"^[a-z][a-z0-9_\-.]*: ")


def user_message(exc: ApplicationError | str) -> str:
    """The message without the API's "field: " prefix."""
    text = exc if isinstance(exc, str) else exc.message
    return _FIELD_PREFIX.sub("", str(text), count=1)


def form_add_error(form, exc: ApplicationError, *, field_map: dict | None = None) -> None:
    """Put a service's error on the matching form fields, else on the form itself."""
    fields = getattr(exc, "fields", None) or ({exc.field: [exc.message]} if exc.field else {})
    placed = False
    for name, errors in fields.items():
        target = (field_map or {}).get(name, name)
        for error in errors:
            if target in form.fields:
                form.add_error(target, user_message(str(error)))
                placed = True
    if not placed:
        form.add_error(None, user_message(exc))


def message_error(request, exc: ApplicationError) -> None:
    messages.error(request, user_message(exc))
