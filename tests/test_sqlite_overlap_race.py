"""SQLite's overlap guard holds with concurrent writers: a race of real connections.

Eight connections to one SQLite file (WAL, as the settings open it) each check that
09:00-09:30 is free, wait until all have checked, then insert an overlapping visit
(09:00 or 09:15, 30 minutes) in its own immediate transaction, as the booking service
does. SQLite admits one writer at a time and the trigger runs inside the writing
statement, so only the first insert passes it. The control runs the same race
without the triggers and shows the overlapping visits landing.
"""

import sqlite3
import threading

from clinic.appointments.overlap import _sqlite_triggers

THREADS = 8
TABLE = "appointments_appointment"


def database(path, *, guarded: bool) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, doctor_id INTEGER, "
            f'patient_id INTEGER, date TEXT, start TEXT, "end" TEXT, status TEXT)'
        )
        if guarded:
            for sql in _sqlite_triggers(TABLE):
                db.execute(sql)


def race(path) -> list[str]:
    checked = threading.Barrier(THREADS, timeout=20)
    outcomes = [None] * THREADS

    def book(i):
        db = sqlite3.connect(path, timeout=20, isolation_level=None)
        try:
            start = ("09:00:00", "09:15:00")[i % 2]
            end = ("09:30:00", "09:45:00")[i % 2]
            busy = db.execute(
                f"SELECT count(*) FROM {TABLE} WHERE doctor_id = 1 AND date = ? "
                f'AND status = ? AND start < ? AND "end" > ?',
                ("2030-01-08", "booked", end, start),
            ).fetchone()[0]
            checked.wait()  # every thread has seen the time free
            if busy:
                outcomes[i] = "refused by the check"
                return
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                f'INSERT INTO {TABLE} (doctor_id, patient_id, date, start, "end", status) '
                "VALUES (1, ?, ?, ?, ?, 'booked')",
                (i, "2030-01-08", start, end),
            )
            db.execute("COMMIT")
            outcomes[i] = "booked"
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            outcomes[i] = "refused by the database"
        finally:
            db.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def booked_rows(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def test_the_triggers_let_exactly_one_overlapping_booking_in(tmp_path):
    path = tmp_path / "race.sqlite3"
    database(path, guarded=True)
    outcomes = race(path)
    assert sorted(outcomes) == ["booked"] + ["refused by the database"] * (THREADS - 1)
    assert booked_rows(path) == 1


def test_without_the_triggers_overlapping_bookings_land(tmp_path):
    """Control: the same race with no triggers books every overlapping visit."""
    path = tmp_path / "race.sqlite3"
    database(path, guarded=False)
    outcomes = race(path)
    assert outcomes.count("booked") == THREADS
    assert booked_rows(path) == THREADS
