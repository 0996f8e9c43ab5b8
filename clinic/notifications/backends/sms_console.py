"""Writes SMS to stdout instead of sending them: the local default, like Django's console email.

Like the console email backend it prints whole messages, OTPs included, so it
is for development only; production sets USE_TWILIO=1.
"""

import sys
import threading
import uuid

from clinic.notifications.backends.base import BaseSmsBackend


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> str:
        sid = f"console-{uuid.uuid4().hex[:12]}"
        with self._lock:
            self.stream.write(f"SMS to {to} ({sid})\n{body}\n{'-' * 60}\n")
            self.stream.flush()
        return sid
