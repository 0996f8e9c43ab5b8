"""The production layout holds together, and survives the loss of its parts.

Everything goes through the balancer, as clients do. Its X-Served-By header
names the app server that answered, so a test can show that both took part.
"""

import collections
import subprocess
import threading
import time
import uuid

import pytest
import requests
from cluster_client import Api, free_slots, patients, png_bytes, run_together, signup
from smtp_sink import delivered

from deploy.cluster import PG_BIN

pytestmark = [pytest.mark.postgres, pytest.mark.cluster]


def served_by(responses) -> set[str]:
    return {r.headers.get("X-Served-By") for r in responses if hasattr(r, "headers")}


def test_one_slot_forty_clients_one_winner(cluster):
    """40 patients book one slot at once across both app servers: exactly one wins."""
    clients = patients(cluster, 40)
    doctor_id, day, slots = free_slots(clients[0])
    body = {"date": day, "slot": slots[0], "doc_id": doctor_id}
    answers = run_together([lambda c=c: c.call("POST", "booking/", body) for c in clients])
    statuses = collections.Counter(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == {201: 1, 409: 39}, statuses
    assert served_by(answers) == set(cluster.app_names)
    winner = next(c for c, a in zip(clients, answers, strict=True) if a.status_code == 201)
    booked = winner.call("GET", "booking/").json()
    assert [(b["booking_date"], b["time_slot"]) for b in booked] == [(day, slots[0])]
    assert slots[0] not in free_slots(clients[0])[2] or free_slots(clients[0])[1] != day


def test_login_limits_hold_across_servers(cluster):
    """Wrong passwords spread over both servers add up to one limit for the account."""
    username, _ = signup(cluster)
    api = Api(cluster.url)
    answers = [
        api.call("POST", "login/", {"username": username, "password": f"wrong-{i}"})
        for i in range(12)
    ]
    assert served_by(answers) == set(cluster.app_names)
    assert answers[0].status_code in (400, 401)
    assert answers[-1].status_code == 429, [a.status_code for a in answers]
    # The right password is refused too now, whichever server answers.
    right = [
        api.call("POST", "login/", {"username": username, "password": "Sturdy-Passw0rd-42"})
        for _ in range(4)
    ]
    assert {a.status_code for a in right} == {429}
    assert served_by(right) == set(cluster.app_names)


def _doctor_names(api: Api, rounds: int = 6) -> dict[str, set[str]]:
    seen = collections.defaultdict(set)
    for _ in range(rounds):
        answer = api.call("GET", "doctor/")
        seen[answer.headers["X-Served-By"]].update(d["name"] for d in answer.json())
    return seen


def test_a_renamed_doctor_shows_through_every_server_at_once(cluster):
    """Both servers cache the directory; a rename on one host reaches the other's readers."""
    api = Api(cluster.url, signup(cluster)[1])
    before = _doctor_names(api)
    assert set(before) == set(cluster.app_names)  # both have it cached now
    doctor = api.call("GET", "doctor/").json()[0]
    new_name = f"Dr. Renamed {int(time.time())}"
    cluster.manage(
        "app1",
        "shell",
        "-c",
        "from clinic.doctors.models import Doctor; "
        f"d = Doctor.objects.get(pk={doctor['id']}); d.name = {new_name!r}; d.save()",
    )
    after = _doctor_names(api)
    assert set(after) == set(cluster.app_names)
    for server, names in after.items():
        assert new_name in names, server
        assert doctor["name"] not in names, server


def test_a_file_uploaded_through_one_server_downloads_through_the_other(cluster):
    """Pictures live in S3, not on the disk of the server that took the upload."""
    api = Api(cluster.url, signup(cluster)[1])
    uploaded = api.call("PATCH", "patient/", files={"profile_pic": ("me.png", png_bytes())})
    assert uploaded.status_code == 200, uploaded.text
    first = uploaded.headers["X-Served-By"]
    for _ in range(6):
        profile = api.call("GET", "patient/")
        if profile.headers["X-Served-By"] != first:
            break
    assert profile.headers["X-Served-By"] != first
    url = profile.json()["profile_pic"]
    assert url.startswith(f"http://{cluster.service_host}:{cluster.ports['s3']}/"), url
    picture = requests.get(url, timeout=10)
    assert picture.status_code == 200
    assert (
        picture.content[:8] == b"\x89PNG\r\n\x1a\n"
        or picture.content[:4] == b"RIFF"
        or picture.content[:3] == b"\xff\xd8\xff"
    )


def test_postgres_restart_under_load(cluster):
    """While PostgreSQL is down /healthz says 503; afterwards the servers recover by
    themselves and every booking that was confirmed is still there."""
    clients = patients(cluster, 4)
    doctor_id, day, slots = free_slots(clients[0], skip=3)
    confirmed, statuses, stop = [], collections.Counter(), threading.Event()

    def book(client, my_slots):
        for slot in my_slots:
            if stop.is_set():
                return
            try:
                answer = client.call(
                    "POST", "booking/", {"date": day, "slot": slot, "doc_id": doctor_id}, timeout=10
                )
            except requests.RequestException:
                statuses["no answer"] += 1
                continue
            statuses[answer.status_code] += 1
            if answer.status_code == 201:
                confirmed.append((client, answer.json()["data"]["Booking_id"]))
            time.sleep(0.05)

    share = [slots[i :: len(clients)] for i in range(len(clients))]
    threads = [
        threading.Thread(target=book, args=(c, s)) for c, s in zip(clients, share, strict=True)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)
    cluster.stop_postgres()
    try:
        down = [cluster.healthy(cluster.app_url(n)) for n in cluster.app_names]
        assert down == [False] * len(cluster.app_names)
        answer = requests.get(f"{cluster.url}/healthz", timeout=5)
        assert answer.status_code == 503
        time.sleep(2)
    finally:
        cluster.start_postgres()
    cluster.wait_healthy()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert 500 not in statuses, statuses
    # No restart of any app server, and every confirmed booking is there.
    assert all(cluster.services[n].running for n in cluster.app_names)
    for client, booking_id in confirmed:
        mine = {b["Booking_id"] for b in client.call("GET", "booking/").json()}
        assert booking_id in mine
    after = clients[0].call("GET", "booking/")
    assert after.status_code == 200


def test_redis_stops_and_returns(cluster):
    """Without Redis pages and the API still answer (the cache fails open); with it back,
    the cache is used again."""
    username, token = signup(cluster)
    api = Api(cluster.url, token)
    doctor_id, day, slots = free_slots(api, skip=5)
    cluster.services["redis"].stop()
    try:
        answers = []
        for _ in range(3):
            answers += [
                requests.get(f"{cluster.url}/", timeout=10),
                requests.get(f"{cluster.url}/doctors/", timeout=10),
                api.call("GET", "doctor/"),
                api.call("GET", "slots/", params={"doctor_id": doctor_id, "date": day}),
                api.call("GET", "booking/"),
            ]
        # Login limits and OTP throttles count in the database meanwhile.
        login = Api(cluster.url).call(
            "POST", "login/", {"username": username, "password": "Sturdy-Passw0rd-42"}
        )
        assert login.status_code == 200, login.text
        otp = Api(cluster.url).call("POST", "api-get-otp/", {"email": f"{username}@example.com"})
        assert otp.status_code == 200, otp.text
        booked = api.call("POST", "booking/", {"date": day, "slot": slots[0], "doc_id": doctor_id})
        assert booked.status_code == 201, booked.text
        assert [a.status_code for a in answers] == [200] * len(answers)
        assert served_by(answers) == set(cluster.app_names)
    finally:
        cluster.services["redis"].start()
        cluster.services["redis"].wait_ready()
    assert api.call("GET", "doctor/").status_code == 200
    keys = subprocess.run(
        ["redis-cli", "-p", str(cluster.ports["redis"]), "dbsize"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert int(keys) > 0


def test_the_periodic_jobs_and_workers_run(cluster):
    """Both task workers and the periodic jobs are alive, restarted if they exited (as
    systemd restarts them), and the periodic jobs ran."""
    time.sleep(2)
    for name in (*cluster.worker_names, "periodic"):
        assert cluster.services[name].running, name
    log = (cluster.logs / "periodic.log").read_text()
    assert "periodic jobs:" in log
    assert "Re-enqueued" in log  # retry_messages ran
    assert PG_BIN is not None


def _book_with_retries(client: Api, body: dict, outcomes: list, stop_at: float) -> None:
    """Book once, as a careful client does: one Idempotency-Key for the booking, and
    the same request again after any answer that is not final."""
    key = str(uuid.uuid4())
    while time.monotonic() < stop_at:
        try:
            answer = client.call(
                "POST", "booking/", body, timeout=10, headers={"Idempotency-Key": key}
            )
        except requests.RequestException:
            time.sleep(0.2)
            continue
        if answer.status_code in (502, 503, 504):
            time.sleep(0.2)
            continue
        outcomes.append((answer.status_code, answer.json()))
        return
    outcomes.append(("gave up", body))


def test_app_server_killed_under_booking_load(cluster):
    """kill -9 of one app server while bookings stream in: the balancer routes around it,
    and clients that retry with their Idempotency-Key end with every booking recorded
    exactly once, none lost, none doubled."""
    clients = patients(cluster, 6)
    plans, taken, skip = [], set(), 10
    for client in clients:
        # Each client its own doctor and day: free_slots moves on to the next working
        # day, so two skips can land on the same day (and the clients would race).
        while True:
            doctor_id, day, slots = free_slots(client, skip=skip)
            skip += 1
            # An hour apart: a visit can be longer than the session's slot step, and a
            # booked visit then takes the next slot too (a 409 that is not a race).
            apart = slots[::4]
            if (doctor_id, day) not in taken and len(apart) >= 6:
                break
        taken.add((doctor_id, day))
        plans.append([{"date": day, "slot": s, "doc_id": doctor_id} for s in apart[:6]])
    outcomes = [[] for _ in clients]
    stop_at = time.monotonic() + 240

    def stream(i):
        for body in plans[i]:
            _book_with_retries(clients[i], body, outcomes[i], stop_at)
            time.sleep(0.1)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    cluster.services["app1"].kill()
    try:
        for thread in threads:
            thread.join(timeout=300)
    finally:
        cluster.services["app1"].start()
        cluster.wait_healthy()
    for client, plan, results in zip(clients, plans, outcomes, strict=True):
        assert [status for status, _ in results] == [201] * len(plan), results
        booked = [data["data"]["Booking_id"] for _, data in results]
        assert len(set(booked)) == len(plan)
        listed = client.call("GET", "booking/").json()
        assert sorted(b["Booking_id"] for b in listed) == sorted(booked)
        assert sorted((b["booking_date"], b["time_slot"]) for b in listed) == sorted(
            (p["date"], p["slot"]) for p in plan
        )


def test_worker_killed_mid_send_delivers_every_message_once(cluster):
    """kill -9 of the task workers while one is inside an SMTP send: after they restart,
    every message of the booking reaches the mail server exactly once."""
    username, token = signup(cluster)
    cluster.manage(
        "worker1",
        "shell",
        "-c",
        "from clinic.patients.models import Patient; "
        f"Patient.objects.filter(user__username={username!r}).update(email_verified=True)",
    )
    client = Api(cluster.url, token)
    doctor_id, day, slots = free_slots(client, skip=25)
    folder = cluster.mailbox_path
    (folder / "stall").touch()
    try:
        booked = client.call(
            "POST", "booking/", {"date": day, "slot": slots[0], "doc_id": doctor_id}
        )
        assert booked.status_code == 201, booked.text
        booking_id = booked.json()["data"]["Booking_id"]
        deadline = time.monotonic() + 60
        while not (folder / "stalled").exists():
            assert time.monotonic() < deadline, "no worker started the send"
            time.sleep(0.1)
        starts = {n: cluster.services[n].starts for n in cluster.worker_names}
        for name in cluster.worker_names:
            cluster.services[name].kill()
    finally:
        (folder / "stall").unlink(missing_ok=True)
    # The supervisor (systemd's Restart=always) brings the workers back.
    deadline = time.monotonic() + 120
    while True:
        mine = [m for m in delivered(folder) if f"{username}@example.com" in m["to"]]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    time.sleep(8)  # a retry that would double it has had its turn
    mine = [m for m in delivered(folder) if f"{username}@example.com" in m["to"]]
    assert mine, "the confirmation never arrived"
    ids = [m["message_id"] for m in mine]
    assert len(ids) == len(set(ids)), ids
    assert all(cluster.services[n].starts > starts[n] for n in cluster.worker_names)
    confirmations = [m for m in mine if "confirmed" in m["subject"].lower()]
    assert len(confirmations) == 1, mine
    assert booking_id
