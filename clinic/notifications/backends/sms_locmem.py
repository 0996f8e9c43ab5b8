"""Keeps SMS in memory for tests, like Django's locmem email backend."""

import itertools
from dataclasses import dataclass

from clinic.notifications.backends.base import BaseSmsBackend

_ids = itertools.count(1)


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    sid: str
    idempotency_key: str | None = None


# Tests read (and clear) this list, as they do django.core.mail.outbox.
outbox: list[Sms] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> str:
        sid = f"locmem-{next(_ids)}"
        outbox.append(Sms(to=to, body=body, sid=sid, idempotency_key=idempotency_key))
        return sid
