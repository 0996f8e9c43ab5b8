"""Scale-out, measured: the same load through the balancer with one and with two app servers.

    .venv/bin/python bench/cluster.py [--appointments 10000] [--duration 20] [--rounds 2]

Starts the local cluster (deploy/cluster.py: HAProxy, two gunicorn app servers,
PostgreSQL, Redis, S3, two task workers), fills it with bench/fill.py, and runs
locust through the balancer, side by side in one run: with app2 out of the pool
(HAProxy's "maint" state) and with both, round after round, keeping each
configuration's best round. Writes the figures into docs/benchmarks.md between
the cluster markers, below the part that bench/run.py rewrites.

Needs bench/requirements.txt and Debian's haproxy.
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import NOTES_MARKER, _keep_best, locust, log, machine  # noqa: E402
from deploy.cluster import PYTHON, ROOT, Cluster  # noqa: E402

START, END = "<!-- cluster:start -->", "<!-- cluster:end -->"
SCENARIOS = ["doctors", "history", "book_cancel"]


def fill(cluster: Cluster, *, appointments: int, manifest: Path) -> None:
    env = cluster.django_env("bench")
    subprocess.run(
        [
            PYTHON,
            "bench/fill.py",
            "--appointments",
            str(appointments),
            "--patients",
            "2000",
            "--doctors",
            "20",
            "--manifest",
            str(manifest),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # The fill writes rows directly; forget what the servers may have cached.
    cluster.manage("app1", "shell", "-c", "from django.core.cache import cache; cache.clear()")


def pool(cluster: Cluster, servers: int) -> None:
    """Put the first `servers` app servers in the pool and the rest in maintenance."""
    for i, name in enumerate(cluster.app_names):
        state = "ready" if i < servers else "maint"
        cluster.balancer(f"set server app/{name} state {state}")
    wait = time.monotonic() + 30
    while set(cluster.app_names[:servers]) != cluster.servers_up():
        if time.monotonic() > wait:
            raise TimeoutError(f"the pool did not settle on {servers} server(s)")
        time.sleep(0.2)


def measure(args) -> dict:
    cluster = Cluster(seed=False, workers=2)
    results: dict[int, dict] = {1: {}, 2: {}}
    try:
        log("starting the cluster")
        cluster.start()
        manifest = cluster.base / "manifest.json"
        log(f"filling {args.appointments:,} appointments")
        fill(cluster, appointments=args.appointments, manifest=manifest)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = cluster.base / "locust"
        out.mkdir()
        pool(cluster, 2)
        locust(
            scenario="warmup",
            seconds=args.warmup,
            users=args.users,
            host=cluster.url,
            manifest=manifest,
            out=out,
            env=env,
        )
        for round_no in range(1, args.rounds + 1):
            for servers in (1, 2):
                pool(cluster, servers)
                for scenario in SCENARIOS:
                    stats = locust(
                        scenario=scenario,
                        seconds=args.duration,
                        users=args.users,
                        host=cluster.url,
                        manifest=manifest,
                        out=out,
                        env=env,
                    )
                    for s in stats.values():
                        s["cpu_ms"] = 0.0
                    _keep_best(results[servers], stats)
                    failures = out / f"{scenario}_failures.csv"
                    if failures.exists() and len(failures.read_text().splitlines()) > 1:
                        log(f"failures: {failures.read_text().splitlines()[1][:300]}")
                    log(
                        f"round {round_no}, {servers} server(s), {scenario}: "
                        + ", ".join(
                            f"{n} {s['rps']:.0f}/s p99 {s['p99']:.0f} ms"
                            + (f" FAILURES {s['failures']}" if s["failures"] else "")
                            for n, s in stats.items()
                        )
                    )
    finally:
        cluster.remove()
    return results


def section(results: dict, args, elapsed: float) -> str:
    rows = []
    for name in ("doctors", "history", "book", "cancel"):
        one, two = results[1].get(name), results[2].get(name)
        if not (one and two):
            continue
        factor = two["rps"] / one["rps"] if one["rps"] else 0
        rows.append(
            f"| {name} | {one['rps']:.0f} | {one['p99']:.0f} | {two['rps']:.0f} | "
            f"{two['p99']:.0f} | {factor:.2f} | {one['failures'] + two['failures']} |"
        )
    return f"""{START}
## Through the balancer: one app server and two

`bench/cluster.py --appointments {args.appointments} --duration {args.duration} \\
--rounds {args.rounds}` on {dt.date.today()}, {elapsed / 60:.0f} min: the local cluster
(deploy/cluster.py) with PostgreSQL, Redis, HAProxy and two gunicorn app servers of 2 sync
workers each; locust, {args.users} users back to back, through the balancer. Both
configurations ran side by side in one run (app2 put in HAProxy's maintenance state and
back), best of {args.rounds} rounds each.
{machine()}

| request | 1 server req/s | p99 ms | 2 servers req/s | p99 ms | factor | failures |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

**What this can and cannot show.** Every process here shares the same 2 CPU cores:
the app servers, PostgreSQL, Redis, HAProxy and the load generator itself. One app
server's 2 workers can already keep both cores busy, so a second server adds processes,
not CPU, and the factor stays near 1 (or below, from the extra context switching).
What the run does show is that the balancer spreads the load over both servers with
no failed request and no loss of latency, and what one more hop costs. On separate
machines each app server brings its own cores, and reads scale with the number of
servers until PostgreSQL becomes the limit; [scaling.md](scaling.md) works out where.
{END}"""


def write(doc: Path, text: str) -> None:
    current = doc.read_text()
    if START in current:
        current = re.sub(
            re.escape(START) + r".*?" + re.escape(END), lambda _: text, current, flags=re.S
        )
    elif NOTES_MARKER in current:
        current = current.rstrip() + "\n\n" + text + "\n"
    else:
        current = current.rstrip() + f"\n\n{NOTES_MARKER}\n\n{text}\n"
    doc.write_text(current)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = measure(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    write(args.doc, section(results, args, time.monotonic() - started))
    log(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
