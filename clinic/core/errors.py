"""Domain errors. Interfaces map them: the API to status codes, the portal to messages."""


class ApplicationError(Exception):
    """A rule said no. `message` is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ApplicationError):
    """Bad input. `fields` maps field names to messages, as in a form."""

    def __init__(self, message: str, *, field: str | None = None, fields=None):
        super().__init__(message, field=field)
        # The field list names the field already; its message need not repeat it.
        bare = message.removeprefix(f"{field}: ") if field else message
        self.fields = fields or ({field: [bare]} if field else {})

    @classmethod
    def from_django(cls, exc, *, prefix: str = "") -> "InvalidInput":
        """Wrap a django ValidationError, naming the first field in the message."""
        if hasattr(exc, "error_dict"):
            fields = {
                f"{prefix}{name}" if name != "__all__" else "__all__": [str(m) for m in msgs]
                for name, msgs in exc.message_dict.items()
            }
            first, messages = next(iter(fields.items()))
            label = "" if first == "__all__" else f"{first}: "
            return cls(f"{label}{messages[0]}", field=None, fields=fields)
        return cls(" ".join(exc.messages))


class NotFound(ApplicationError):
    pass


class Forbidden(ApplicationError):
    pass


class Conflict(ApplicationError):
    pass


class SlotUnavailable(Conflict):
    pass


class Throttled(ApplicationError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(InvalidInput):
    """An upload or body over its size limit (API: 413)."""


class UnsupportedMedia(InvalidInput):
    """An upload whose content is not an accepted type (API: 415)."""
