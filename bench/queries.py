"""Count the SQL queries each benchmarked request makes, in-process, on the bench database.

Runs Django's test client (no test database: the filled bench database itself)
with CaptureQueriesContext, so production code carries no counting overhead.
Each request is sent once to warm per-process caches, then counted. Prints JSON:
{"floor": 1, "doctors": 2, ..., "book": n, "cancel": m}.

    python bench/queries.py --manifest /tmp/.../manifest.json
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.fhir_paths import FHIR_READS, fhir_path  # noqa: E402
from bench.fill import _setup_django, booking_pool  # noqa: E402


def read_requests(manifest: dict) -> dict:
    """The benchmark's reads, in-process: name -> (test client with the caller's
    credentials, path), one patient and one doctor and day of the manifest's."""
    from django.test import Client

    reader = manifest["readers"][0]
    host = {"HTTP_HOST": "127.0.0.1"}
    as_reader = Client(HTTP_AUTHORIZATION=f"Token {reader['token']}", **host)
    doctor, day = manifest["doctor_ids"][0], manifest["slot_days"][0]
    return {
        "floor": (Client(**host), "/healthz"),
        "doctors": (as_reader, "/cms-api/doctor/"),
        "slots": (as_reader, f"/cms-api/slots/?doctor_id={doctor}&date={day}"),
        "active": (as_reader, "/cms-api/booking/"),
        "history": (as_reader, "/cms-api/history/"),
        "reports": (as_reader, "/cms-api/reports/"),
        "consultations": (as_reader, "/cms-api/consultations/"),
        **{
            name: (as_reader, fhir_path(
                name, patient_id=reader["patient_id"], doctor=doctor, day=day
            ))
            for name in FHIR_READS
        },
    }


def booker_client(manifest: dict):
    """The first booker's test client and the body of a booking of (day, at) with its doctor."""
    from django.test import Client

    booker = manifest["bookers"][0]
    client = Client(HTTP_AUTHORIZATION=f"Token {booker['token']}", HTTP_HOST="127.0.0.1")

    def body(day: dt.date, at: dt.time) -> dict:
        return {"date": day.isoformat(), "slot": at.strftime("%I:%M %p"),
                "doc_id": booker["doctor_id"]}

    return client, body


def count_queries(manifest: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reads = read_requests(manifest)
    as_booker, booking_body = booker_client(manifest)
    counts = {}
    for name, (client, path) in reads.items():
        for _ in range(2):  # the first call fills per-process caches
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:200]!r}")
        counts[name] = len(ctx.captured_queries)

    # Book and cancel the last slot of the pool (the load run starts at the front).
    pool = booking_pool(today=dt.date.fromisoformat(manifest["today"]))
    for day, at in pool[-2:]:
        body = booking_body(day, at)
        with CaptureQueriesContext(connection) as ctx:
            response = as_booker.post("/cms-api/booking/", body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"book: {response.status_code} {response.content[:200]!r}")
        counts["book"] = len(ctx.captured_queries)
        ids = {"booking-ids": [response.json()["data"]["Booking_id"]]}
        with CaptureQueriesContext(connection) as ctx:
            response = as_booker.delete("/cms-api/booking/", ids, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"cancel: {response.status_code} {response.content[:200]!r}")
        counts["cancel"] = len(ctx.captured_queries)
    return counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args(argv)
    _setup_django()
    print(json.dumps(count_queries(json.loads(Path(args.manifest).read_text()))))


if __name__ == "__main__":
    main()
