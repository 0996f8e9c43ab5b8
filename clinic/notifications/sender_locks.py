"""Which messages a live worker is sending right now, as PostgreSQL sees it.

A sender takes a session-level advisory lock on the message before its claim
("sending") commits and releases it after the outcome is recorded. The
database drops the lock with the connection of a worker that dies (kill -9,
a lost machine), so a "sending" row whose lock is free has no live sender and
the sweep can send it again at once, with no timeout to guess. SQLite has no
such locks (and one writer at a time): there the sweep waits STUCK_AFTER.

Workers must hold their own database sessions (direct connections or a
session-mode pooler), as a session lock needs.
"""

from contextlib import contextmanager

from django.db import connection

# The first key of the two-key advisory lock: "CMS" in ASCII, our namespace.
NAMESPACE = 0x434D53


def supported() -> bool:
    return connection.vendor == "postgresql"


def _key(message_id: int) -> int:
    return message_id % 2**31  # a collision only makes the sweep wait for another run


def acquire(message_id: int) -> None:
    if supported():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, _key(message_id)])


def release(message_id: int) -> None:
    if supported():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, _key(message_id)])


@contextmanager
def if_abandoned(message_id: int):
    """Yields True, holding the lock, when no live worker holds this message's lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, _key(message_id)])
        free = cursor.fetchone()[0]
    try:
        yield free
    finally:
        if free:
            release(message_id)
