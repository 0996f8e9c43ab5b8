"""Clients of the cluster for the tests: patients through the balancer, and helpers."""

import datetime as dt
import io
import itertools
import threading
import uuid

import requests
from PIL import Image

from deploy.cluster import Cluster

_numbers = itertools.count(1)


class Api:
    """A client of /cms-api/ through the balancer (or one app server)."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, body=None, *, timeout: float = 30, **kwargs):
        return self.session.request(
            method, f"{self.base}/cms-api/{path}", json=body, timeout=timeout, **kwargs
        )


def signup(cluster: Cluster, *, password: str = "Sturdy-Passw0rd-42") -> tuple[str, str]:
    """A new patient through the API; (username, token)."""
    n = next(_numbers)
    tag = uuid.uuid4().hex[:8]
    username = f"cl{tag}{n}"
    api = Api(cluster.url)
    created = api.call(
        "POST",
        "signup/",
        {
            "user": {
                "username": username,
                "password": password,
                "first_name": "Cluster",
                "last_name": f"Patient {n}",
                "email": f"{username}@example.com",
            },
            "gender": "Female",
            "dob": "1990-01-01",
            "address": "1 Balancer Road",
            "phone": f"9{int(tag, 16) % 10**9:09d}",
        },
    )
    assert created.status_code == 201, created.text
    login = api.call("POST", "login/", {"username": username, "password": password})
    assert login.status_code == 200, login.text
    return username, login.json()["token"]


def patients(cluster: Cluster, count: int) -> list[Api]:
    return [Api(cluster.url, signup(cluster)[1]) for _ in range(count)]


def free_slots(api: Api, *, skip: int = 0) -> tuple[int, str, list[str]]:
    """A doctor and a day with free slots: (doctor id, date, slots)."""
    doctors = api.call("GET", "doctor/").json()
    day = dt.date.today() + dt.timedelta(days=2 + skip)
    for _ in range(30):
        for doctor in doctors:
            answer = api.call(
                "GET", "slots/", params={"doctor_id": doctor["id"], "date": day.isoformat()}
            )
            if answer.status_code == 200 and answer.json()["slots"]:
                return doctor["id"], day.isoformat(), answer.json()["slots"]
        day += dt.timedelta(days=1)
    raise AssertionError("no free slot in the next month")


def png_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def run_together(calls) -> list:
    """Run the callables at the same moment, one thread each; their results in order."""
    barrier = threading.Barrier(len(calls), timeout=60)
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (the test looks at it)
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
