"""Fill a migrated, empty database with a clinic of a given size, fast and in bulk.

The clinic: `doctors` doctors with the default week (Mon-Sat, six 30-minute
slots from 09:00), `patients` patients (one precomputed password hash for all)
and `appointments` appointments. Almost all appointments lie in the past, one
per past doctor slot walking back from yesterday (so 1,000,000 of them reach
back decades: the history grows), mostly completed, some cancelled or no-show;
a few are upcoming in the next weeks.

The first `readers` patients are the benchmark's reading users: each has the
same number of past appointments (`reader_history`), upcoming ones, consultations
and lab reports at every clinic size, so a per-user list costs the same at 10k
and at 1M and only the clinic's size changes. The next `bookers` patients book
and cancel during the benchmark and have no appointments. Both get API tokens
(what a login creates), listed in the returned manifest.

PostgreSQL gets COPY, SQLite executemany, both in one transaction; the partial
unique constraints hold because every booked row gets its own doctor slot and
no patient is booked twice at one time. Run as a script inside the project's
environment (DATABASE_URL, ...) after `manage.py migrate`:

    python bench/fill.py --appointments 1000000 --manifest /tmp/manifest.json
"""

import argparse
import datetime as dt
import functools
import itertools
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path

DEFAULT_TIMES = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 30), dt.time(11, 0),
                 dt.time(11, 30)]
WORKDAYS = range(0, 6)  # Monday to Saturday, as doctor_schedule_default gives
SPECIALTIES = ["General Medicine", "Pediatrics", "Cardiology", "Dermatology", "Orthopedics"]
PASSWORD = "Bench-Pass-2030!"
# Upcoming appointments live in days 1..UPCOMING_DAYS; the booking pools start
# after them, so a benchmark booking always finds its slot free.
UPCOMING_DAYS = 25
POOL_FIRST_DAY = 30


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()


def _rows_to_table(model, columns: list[str], rows, *, connection) -> int:
    """Insert `rows` (tuples in the order of field names `columns`) into `model`'s table.

    Fields left out get their model default; values are adapted by the field
    (cached: dates, times and statuses repeat a lot).
    """
    fields = [model._meta.get_field(name) for name in columns]
    # Left-out fields take their default; a left-out auto primary key is numbered by the database.
    rest = [
        f for f in model._meta.concrete_fields
        if f.name not in columns
        and not (f.primary_key and f.get_internal_type().endswith("AutoField"))
    ]
    extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    all_fields = fields + rest
    # Callers pass ints, strings, bools and None as the driver takes them; dates and times
    # need the backend's adaptation (cached: they repeat a lot).
    adapters = [
        functools.lru_cache(maxsize=65536)(functools.partial(_adapt, f, connection))
        if f.get_internal_type() in ("DateField", "TimeField", "DateTimeField")
        else None
        for f in fields
    ]
    converted = [(i, a) for i, a in enumerate(adapters) if a is not None]

    def adapt_row(row):
        if len(row) != len(fields):
            raise ValueError(f"{model.__name__}: {len(row)} values for {len(fields)} columns")
        values = list(row)
        for i, adapt in converted:
            values[i] = adapt(values[i])
        return values + list(extra)

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in all_fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(adapt_row(row))
                    count += 1
        else:
            raw = cursor.cursor  # the driver's cursor: '?' placeholders, no per-row wrapping
            # A big page cache for this connection: the patient indexes take random inserts.
            raw.execute("PRAGMA cache_size = -262144")
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(all_fields))})"
            for chunk in _chunks(rows, 50_000):
                raw.executemany(sql, [adapt_row(row) for row in chunk])
                count += len(chunk)
    return count


def _adapt(field, connection, value):
    return field.get_db_prep_save(value, connection)


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _workdays(first: dt.date, step: int):
    day = first
    while True:
        if day.weekday() in WORKDAYS:
            yield day
        day += dt.timedelta(days=step)


def booking_pool(*, today: dt.date) -> list[tuple[dt.date, dt.time]]:
    """The (date, time) slots booker `index` books and cancels, each with its own doctor.

    Every booker has a doctor of its own (manifest["bookers"][index]["doctor_id"]) and
    nothing else is booked from POOL_FIRST_DAY on, so no two bookers ever collide.
    """
    days = [today + dt.timedelta(days=d) for d in range(POOL_FIRST_DAY, 90)]
    return [(day, at) for day in days if day.weekday() in WORKDAYS for at in DEFAULT_TIMES]


def fill(
    *,
    doctors: int = 20,
    patients: int = 10_000,
    appointments: int = 10_000,
    readers: int = 64,
    bookers: int = 16,
    reader_history: int = 80,
    reader_upcoming: int = 5,
    reader_consultations: int = 10,
    reader_reports: int = 10,
    seed: int = 2030,
    log=print,
) -> dict:
    """Fill the default database; return the manifest the load generator reads."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from knox.crypto import create_token_string, hash_token
    from knox.models import AuthToken
    from knox.settings import CONSTANTS

    from clinic.accounts.models import User
    from clinic.appointments.models import Appointment, Status
    from clinic.appointments.visit_types import visit_end, visit_type_default
    from clinic.core import clock
    from clinic.doctors.models import Doctor
    from clinic.doctors.services import doctor_schedule_default
    from clinic.labs.models import LabReport, LabStatus
    from clinic.patients.models import Patient, record_number_for
    from clinic.records.models import Consultation, PrescriptionLine

    if readers + bookers > patients:
        raise ValueError("readers + bookers must not exceed patients")
    if bookers > doctors:
        raise ValueError("each booker needs a doctor of its own: bookers <= doctors")
    rng = random.Random(seed)
    today = clock.today()
    now = clock.now()
    timings = {}
    started = time.perf_counter()

    with transaction.atomic():
        # Doctors: few, through the ORM and the real schedule service.
        doctor_objs = []
        for i in range(doctors):
            doctor = Doctor.objects.create(
                name=f"Dr. Bench {i + 1:02d}",
                gender=("Male", "Female")[i % 2],
                birth_date=dt.date(1960 + i % 30, 1 + i % 12, 1 + i % 28),
                experience_years=5 + i % 30,
                specialty=SPECIALTIES[i % len(SPECIALTIES)],
                office_number=f"{100 + i}",
            )
            doctor_schedule_default(doctor=doctor)
            doctor_objs.append(doctor)
        doctor_ids = [d.pk for d in doctor_objs]

        # Users and patients: one hash for everybody (hashing per row would take hours).
        t = time.perf_counter()
        password = make_password(PASSWORD)
        first_user = _next_id(User)
        first_patient = _next_id(Patient)
        joined = now - dt.timedelta(days=365)
        tag = secrets.token_hex(3)  # unique names even in a database that already has users
        user_ids = list(range(first_user, first_user + patients))
        patient_ids = list(range(first_patient, first_patient + patients))
        _rows_to_table(
            User,
            ["id", "password", "username", "first_name", "last_name", "email", "is_active",
             "date_joined"],
            (
                (uid, password, f"b{tag}p{n:07d}", f"Pat{n}", "Bench", f"b{tag}p{n}@bench.example",
                 True, joined)
                for n, uid in enumerate(user_ids)
            ),
            connection=connection,
        )
        _rows_to_table(
            Patient,
            ["id", "created_at", "updated_at", "user", "record_number", "given_name",
             "family_name", "email", "allergies", "alerts", "gender", "dob", "address", "phone"],
            (
                (pid, joined, joined, uid, record_number_for(pid), f"Pat{n}", "Bench",
                 f"b{tag}p{n}@bench.example", "", "", ("Male", "Female", "Other")[n % 3],
                 dt.date(1950 + n % 60, 1 + n % 12, 1 + n % 28), f"{n} Bench Road",
                 f"+919{n:09d}")
                for n, (pid, uid) in enumerate(zip(patient_ids, user_ids, strict=True))
            ),
            connection=connection,
        )
        timings["patients"] = time.perf_counter() - t

        reader_ids = patient_ids[:readers]
        booker_ids = patient_ids[readers:readers + bookers]
        other_ids = patient_ids[readers + bookers:] or reader_ids

        # Upcoming (booked) appointments: each in its own doctor slot in days 1..UPCOMING_DAYS.
        t = time.perf_counter()
        upcoming_slots = [
            (doc, day, at)
            for day in (today + dt.timedelta(days=d) for d in range(1, UPCOMING_DAYS + 1))
            if day.weekday() in WORKDAYS
            for at in DEFAULT_TIMES
            for doc in doctor_ids
        ]
        wanted_upcoming = readers * reader_upcoming + min(500, appointments // 50)
        wanted_upcoming = min(wanted_upcoming, len(upcoming_slots), appointments)
        upcoming_patients = [pid for _ in range(reader_upcoming) for pid in reader_ids]
        upcoming_patients += [
            rng.choice(other_ids) for _ in range(wanted_upcoming - len(upcoming_patients))
        ]
        upcoming_patients = upcoming_patients[:wanted_upcoming]
        # Every visit of the default type, which fits the default week's slots.
        visit = visit_type_default()
        ends = {at: visit_end(at, visit.minutes) for at in DEFAULT_TIMES}
        first_appt = _next_id(Appointment)
        appt_id = itertools.count(first_appt)
        busy = set()  # (patient, day, time) already booked: the patient-side constraint

        def upcoming_rows():
            slots = iter(upcoming_slots)
            for pid in upcoming_patients:
                for doc, day, at in slots:
                    if (pid, day, at) not in busy:
                        busy.add((pid, day, at))
                        booked_at = now - dt.timedelta(days=rng.randint(1, 20))
                        yield (next(appt_id), booked_at, booked_at, pid, doc, day, at,
                               DEFAULT_TIMES.index(at) + 1, Status.BOOKED, "Check-up", None, "",
                               visit.pk, ends[at])
                        break

        columns = ["id", "created_at", "updated_at", "patient", "doctor", "date", "start",
                   "slot_number", "status", "reason", "cancelled_at", "cancelled_by",
                   "visit_type", "end"]
        n_upcoming = _rows_to_table(Appointment, columns, upcoming_rows(), connection=connection)

        # Past appointments: one per past doctor slot, from yesterday backwards.
        past = appointments - n_upcoming
        past_patients = [pid for _ in range(reader_history) for pid in reader_ids][:past]
        past_patients += [rng.choice(other_ids) for _ in range(past - len(past_patients))]
        rng.shuffle(past_patients)
        statuses = [Status.COMPLETED] * 80 + [Status.CANCELLED] * 12 + [Status.NO_SHOW] * 8
        reader_set = set(reader_ids)
        completed_of_reader: dict[int, list] = {pid: [] for pid in reader_ids}

        @functools.lru_cache(maxsize=4096)
        def booked_on(day):
            # Booked three days ahead, at 08:00: a per-day value, so adapting it is cached.
            return clock.combine(day - dt.timedelta(days=3), dt.time(8, 0))

        def past_rows():
            slots = (
                (doc, day, at)
                for day in _workdays(today - dt.timedelta(days=1), -1)
                for at in DEFAULT_TIMES
                for doc in doctor_ids
            )
            for pid, (doc, day, at) in zip(past_patients, slots, strict=False):
                status = statuses[rng.randrange(100)]
                booked_at = booked_on(day)
                cancelled = status == Status.CANCELLED
                cancelled_at = booked_at + dt.timedelta(days=1) if cancelled else None
                aid = next(appt_id)
                if status == Status.COMPLETED and pid in reader_set:
                    completed_of_reader[pid].append((aid, doc, day))
                yield (aid, booked_at, booked_at, pid, doc, day, at, DEFAULT_TIMES.index(at) + 1,
                       status, "Follow-up", cancelled_at, "patient" if cancelled_at else "",
                       visit.pk, ends[at])

        n_past = _rows_to_table(Appointment, columns, past_rows(), connection=connection)
        timings["appointments"] = time.perf_counter() - t

        # Consultations (with two prescription lines) and lab reports for the readers.
        t = time.perf_counter()
        consult_rows, line_rows, report_rows = [], [], []
        consult_id = itertools.count(_next_id(Consultation))
        for pid in reader_ids:
            for aid, doc, day in completed_of_reader[pid][:reader_consultations]:
                cid = next(consult_id)
                at = clock.combine(day, dt.time(12, 30))
                consult_rows.append((cid, at, at, pid, doc, aid, day, "Follow-up visit",
                                     "Seasonal viral fever", "Rest, fluids; review in a week."))
                line_rows.append((cid, 0, "Paracetamol", "500 mg", "three times a day", "3 days",
                                  "after food"))
                line_rows.append((cid, 1, "Cetirizine", "10 mg", "at night", "5 days", ""))
            for k in range(reader_reports):
                day = today - dt.timedelta(days=7 * k + 1)
                at = clock.combine(day, dt.time(15, 0))
                released = k % 2 == 0
                report_rows.append((at, at, pid, doctor_ids[k % len(doctor_ids)],
                                    ("CBC", "MRI", "Lipid profile", "X-Ray")[k % 4], day,
                                    LabStatus.RELEASED if released else LabStatus.ORDERED,
                                    f"reports/bench{pid}x{k}.pdf" if released else "",
                                    f"report-{k}.pdf" if released else "",
                                    at if released else None, at if released else None))
        _rows_to_table(
            Consultation,
            ["id", "created_at", "updated_at", "patient", "doctor", "appointment", "date",
             "purpose", "diagnosis", "notes"],
            consult_rows, connection=connection,
        )
        _rows_to_table(
            PrescriptionLine,
            ["consultation", "position", "medicine", "dose", "frequency", "duration",
             "instructions"],
            line_rows, connection=connection,
        )
        _rows_to_table(
            LabReport,
            ["created_at", "updated_at", "patient", "doctor", "test", "date", "status", "file",
             "original_name", "resulted_at", "released_at"],
            report_rows, connection=connection,
        )
        timings["records"] = time.perf_counter() - t

        # Tokens: what one login per benchmark user would have created (knox rows:
        # the digest and lookup key of each token, never the token itself).
        token_of = {}
        token_rows = []
        for pid, uid in zip(patient_ids[:readers + bookers], user_ids, strict=False):
            key = create_token_string()
            token_of[pid] = key
            token_rows.append((hash_token(key), key[: CONSTANTS.TOKEN_KEY_LENGTH], uid, now))
        _rows_to_table(
            AuthToken, ["digest", "token_key", "user", "created"], token_rows,
            connection=connection,
        )

        if connection.vendor == "postgresql":
            _reset_sequences(
                connection,
                [User, Patient, Appointment, Consultation, PrescriptionLine, LabReport],
            )

    t = time.perf_counter()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do soon after a bulk load; a test transaction skips it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started

    readers_out = [
        {"patient_id": pid, "token": token_of[pid]} for pid in reader_ids
    ]
    bookers_out = [
        {"patient_id": pid, "token": token_of[pid], "doctor_id": doctor_ids[k]}
        for k, pid in enumerate(booker_ids)
    ]
    manifest = {
        "today": today.isoformat(),
        "doctor_ids": doctor_ids,
        "appointments": n_upcoming + n_past,
        "upcoming": n_upcoming,
        "patients": patients,
        "readers": readers_out,
        "bookers": bookers_out,
        "reader_history": reader_history,
        "slot_days": [
            (today + dt.timedelta(days=d)).isoformat()
            for d in range(1, UPCOMING_DAYS + 1)
            if (today + dt.timedelta(days=d)).weekday() in WORKDAYS
        ],
        "pool_first_day": POOL_FIRST_DAY,
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    log(
        f"filled {doctors} doctors, {patients} patients, {n_upcoming + n_past} appointments "
        f"({n_upcoming} upcoming) in {timings['total']:.1f} s "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if k != "total")
    )
    return manifest


def _reset_sequences(connection, models):
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doctors", type=int, default=20)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument("--bookers", type=int, default=16)
    parser.add_argument("--reader-history", type=int, default=80)
    parser.add_argument("--manifest", required=True, help="where to write the JSON manifest")
    args = parser.parse_args(argv)
    _setup_django()
    manifest = fill(
        doctors=args.doctors,
        patients=args.patients,
        appointments=args.appointments,
        readers=args.readers,
        bookers=args.bookers,
        reader_history=args.reader_history,
    )
    Path(args.manifest).write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
