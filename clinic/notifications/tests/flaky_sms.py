"""An SMS backend for tests that fails as told, to exercise retries without a network."""

from clinic.notifications.backends.base import BaseSmsBackend, TransportError
from clinic.notifications.backends.sms_locmem import LocmemSmsBackend

# Each entry is consumed by one send: None sends, "transient"/"permanent" fail.
script: list[str | None] = []


class FlakySmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> str:
        outcome = script.pop(0) if script else None
        if outcome == "transient":
            raise TransportError("Provider timed out")
        if outcome == "permanent":
            raise TransportError("Invalid number", permanent=True)
        return LocmemSmsBackend().send(to=to, body=body, idempotency_key=idempotency_key)
