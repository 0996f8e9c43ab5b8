"""Locust users for the API benchmark; bench/run.py starts one headless run per scenario.

BENCH_SCENARIO picks what every user does in a loop, with no wait between requests:
floor (GET /healthz), doctors, slots, active, history, reports, consultations,
fhir_slots (a doctor's free Slots for a day), fhir_appointments (the caller's
Appointments), fhir_patient (read of the caller's Patient), book_cancel (book a
fresh slot, then cancel it) or warmup (all the reads in turn).
BENCH_MANIFEST is the JSON file bench/fill.py wrote: the tokens of the reading
patients and of the bookers (one booker per user, each with a doctor of its own).
"""

import datetime as dt
import itertools
import json
import os
import sys
from pathlib import Path

from locust import FastHttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.fhir_paths import FHIR_READS, fhir_path  # noqa: E402
from bench.fill import booking_pool  # noqa: E402

MANIFEST = json.loads(Path(os.environ["BENCH_MANIFEST"]).read_text())
SCENARIO = os.environ.get("BENCH_SCENARIO", "floor")
API = "/cms-api"
_user_numbers = itertools.count()

READS = {
    "doctors": f"{API}/doctor/",
    "active": f"{API}/booking/",
    "history": f"{API}/history/",
    "reports": f"{API}/reports/",
    "consultations": f"{API}/consultations/",
}


class ApiUser(FastHttpUser):
    # Back to back: the server, not a think time, sets the pace.
    wait_time = constant(0)

    def on_start(self):
        self.number = next(_user_numbers)
        readers = MANIFEST["readers"]
        self.reader = readers[self.number % len(readers)]
        self.auth = {"Authorization": f"Token {self.reader['token']}"}
        self.slot_queries = itertools.cycle(
            (doctor, day)
            for day in MANIFEST["slot_days"]
            for doctor in MANIFEST["doctor_ids"][self.number % 4::4]
        )
        if SCENARIO == "book_cancel":
            bookers = MANIFEST["bookers"]
            if self.number >= len(bookers):
                raise RuntimeError("more locust users than bookers in the manifest")
            booker = bookers[self.number]
            self.booker_auth = {"Authorization": f"Token {booker['token']}"}
            self.booker_doctor = booker["doctor_id"]
            self.pool = itertools.cycle(
                booking_pool(today=dt.date.fromisoformat(MANIFEST["today"]))
            )
        self.warmup_steps = itertools.cycle(["floor", "slots", *READS, *FHIR_READS])

    def _get(self, name, path):
        with self.client.get(path, headers=self.auth, name=name, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code}: {(resp.text or '')[:200]}")

    def _floor(self):
        with self.client.get("/healthz", name="floor", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code}")

    def _slots(self):
        doctor, day = next(self.slot_queries)
        self._get("slots", f"{API}/slots/?doctor_id={doctor}&date={day}")

    def _book_cancel(self):
        day, at = next(self.pool)
        body = {
            "date": day.isoformat(), "slot": at.strftime("%I:%M %p"), "doc_id": self.booker_doctor
        }
        with self.client.post(
            f"{API}/booking/", json=body, headers=self.booker_auth, name="book",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                resp.failure(f"{resp.status_code}: {(resp.text or '')[:200]}")
                return
            booking_id = resp.json()["data"]["Booking_id"]
        with self.client.request(
            "DELETE", f"{API}/booking/", json={"booking-ids": [booking_id]},
            headers=self.booker_auth, name="cancel", catch_response=True,
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code}: {(resp.text or '')[:200]}")

    def _step(self, scenario):
        if scenario == "floor":
            self._floor()
        elif scenario == "slots":
            self._slots()
        elif scenario == "book_cancel":
            self._book_cancel()
        elif scenario in FHIR_READS:
            doctor, day = next(self.slot_queries)
            path = fhir_path(scenario, patient_id=self.reader["patient_id"], doctor=doctor, day=day)
            self._get(scenario, path)
        else:
            self._get(scenario, READS[scenario])

    @task
    def step(self):
        if SCENARIO == "warmup":
            self._step(next(self.warmup_steps))
        else:
            self._step(SCENARIO)
