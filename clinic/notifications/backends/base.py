"""The SMS backend interface, shaped like Django's email backends."""


class TransportError(Exception):
    """Sending failed. `permanent` errors (an invalid number) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class BaseSmsBackend:
    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> str:
        """Send `body` to the E.164 number `to`; return the provider's message id.

        `idempotency_key` is the same on every attempt of one message, so a
        provider that honours it delivers a resent request once.
        """
        raise NotImplementedError
