"""Benchmark the patient API as production runs it, and write docs/benchmarks.md.

For each database and clinic size: a fresh database (SQLite file in a temporary
folder, or the PostgreSQL database cms_bench, dropped and created), `migrate`,
a bulk fill (bench/fill.py), gunicorn with 2 workers and production settings,
then locust, headless in a separate process, 16 users back to back: a warm-up,
then a fixed duration per endpoint, the floor (GET /healthz, one SELECT 1
through the same server, middleware and database settings) among them. After
the load: peak RSS (VmHWM) of each worker, and the SQL queries per request,
counted in-process (bench/queries.py).

    .venv/bin/python bench/run.py --db sqlite,postgres --sizes 10000,1000000

Needs bench/requirements.txt installed and PostgreSQL on 127.0.0.1:5432 (user postgres).
"""

import argparse
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
READS = ["doctors", "slots", "active", "history", "reports", "consultations",
         "fhir_slots", "fhir_appointments", "fhir_patient"]
SCENARIOS = ["floor", *READS, "book_cancel"]
NOTES_MARKER = "<!-- Everything below this line is kept when bench/run.py rewrites the file. -->"


NICE = 0


def _prioritized() -> None:
    """In the child: raise the priority of the server and the load generator (--nice)."""
    if NICE:
        os.nice(NICE)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def server_env(*, db: str, var_dir: Path, pg_url: str, tasks: str = "database") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CMS_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        STATIC_ROOT=str(var_dir / "static"),
        STATIC_MANIFEST="0",
        # Production queues notifications for db_worker processes (the request writes one
        # task row); mail and SMS go to the console.
        TASKS_BACKEND=tasks,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        SMS_BACKEND="clinic.notifications.backends.sms_console.ConsoleSmsBackend",
        USE_TWILIO="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"] = pg_url if db == "postgres" else f"sqlite:///{var_dir / 'db.sqlite3'}"
    return env


def recreate_postgres(pg_url: str) -> None:
    import psycopg

    base, name = pg_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(pg_url: str) -> None:
    import psycopg

    base, name = pg_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise RuntimeError(f"{shlex.join(cmd)} failed:\n{output}")
    return result


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


def worker_pids(master_pid: int) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(master_pid).children()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends(pg_url: str) -> list[int]:
    """Pids of the server processes serving the bench database (the workers' connections)."""
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """Server CPU (gunicorn workers + PostgreSQL backends of the bench database) over a span.

    Other work on the machine slows a throughput figure down; CPU seconds per request
    barely move, so they are the steadier measure of cost on a shared machine.
    """

    def __init__(self, *, master_pid: int, db: str, pg_url: str):
        self.master_pid, self.db, self.pg_url = master_pid, db, pg_url

    def _pids(self) -> set[int]:
        pids = set(worker_pids(self.master_pid))
        if self.db == "postgres":
            pids |= set(postgres_backends(self.pg_url))
        return pids

    def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pid in self._pids()}

    def stop(self) -> float:
        after = {pid: cpu_seconds(pid) for pid in self._pids() | set(self.before)}
        return sum(after[pid] - self.before.get(pid, 0.0) for pid in after)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def locust(*, scenario: str, seconds: int, users: int, host: str, manifest: Path, out: Path,
           env: dict) -> dict[str, dict]:
    """One headless locust run; per request name: rps, p50, p99, count, failures."""
    prefix = out / scenario
    cmd = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host,
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5",
    ]
    lenv = {**env, "BENCH_SCENARIO": scenario, "BENCH_MANIFEST": str(manifest)}
    result = subprocess.run(cmd, env=lenv, cwd=ROOT, capture_output=True, text=True,
                            timeout=seconds + 120, preexec_fn=_prioritized)
    (out / f"{scenario}.log").write_text(result.stdout + result.stderr)
    with open(f"{prefix}_exceptions.csv") as f:
        errors = list(csv.DictReader(f))
    if errors:
        raise RuntimeError(f"locust {scenario} raised: {errors[0]}")
    stats = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            stats[row["Name"]] = {
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p99": float(row["99%"]),
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
            }
    if not stats:
        raise RuntimeError(f"locust {scenario} made no requests:\n{result.stderr[-3000:]}")
    return stats


def _keep_best(best: dict, stats: dict) -> None:
    """Across rounds: other work on the machine only ever slows a run down, so the best
    round (most req/s, with its latencies; least CPU per request) is the closest to the
    server's own speed. Failures add up."""
    for name, s in stats.items():
        old = best.get(name)
        if old is None:
            best[name] = dict(s)
            continue
        failures = old["failures"] + s["failures"]
        cpu_ms = min(old["cpu_ms"], s["cpu_ms"])
        if s["rps"] > old["rps"]:
            best[name] = dict(s)
        best[name]["failures"], best[name]["cpu_ms"] = failures, cpu_ms


def bench_one(*, db: str, size: int, args, workdir: Path) -> dict:
    var_dir = workdir / f"{db}-{size}"
    (var_dir / "static").mkdir(parents=True)
    env = server_env(db=db, var_dir=var_dir, pg_url=args.pg_url, tasks=args.tasks)
    if db == "postgres":
        recreate_postgres(args.pg_url)
    t = time.perf_counter()
    run([PYTHON, "manage.py", "migrate", "--noinput"], env)
    migrate_s = time.perf_counter() - t
    manifest = var_dir / "manifest.json"
    t = time.perf_counter()
    filled = run(
        [PYTHON, "bench/fill.py", "--appointments", str(size), "--patients", str(args.patients),
         "--doctors", str(args.doctors), "--manifest", str(manifest)],
        env,
    )
    fill_s = time.perf_counter() - t
    log(f"{db} {size:,}: migrate {migrate_s:.1f} s; {filled.stdout.strip()} "
        f"(process {fill_s:.1f} s)")

    host = f"http://127.0.0.1:{args.port}"
    gunicorn_log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "clinic.wsgi:application", "--workers", str(args.workers),
         "--worker-class", args.worker_class, "--threads", str(args.threads),
         "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=gunicorn_log, stderr=subprocess.STDOUT,
        preexec_fn=_prioritized,
    )
    results = {"db": db, "size": size, "fill_seconds": round(fill_s, 1),
               "migrate_seconds": round(migrate_s, 1), "endpoints": {}}
    try:
        wait_healthy(f"{host}/healthz")
        locust(scenario="warmup", seconds=args.warmup, users=args.users, host=host,
               manifest=manifest, out=var_dir, env=env)
        meter = CpuMeter(master_pid=server.pid, db=db, pg_url=args.pg_url)
        for round_no in range(1, args.rounds + 1):
            for scenario in args.endpoints:
                meter.start()
                stats = locust(scenario=scenario, seconds=args.duration, users=args.users,
                               host=host, manifest=manifest, out=var_dir, env=env)
                cpu = meter.stop()
                requests = sum(s["count"] for s in stats.values())
                load = os.getloadavg()[0]
                for s in stats.values():
                    s["cpu_ms"] = 1000 * cpu / requests if requests else 0.0
                    s["load"] = load
                _keep_best(results["endpoints"], stats)
                summary = ", ".join(
                    f"{name} {s['rps']:.0f}/s p50 {s['p50']:.0f} ms p99 {s['p99']:.0f} ms"
                    + (f" FAILURES {s['failures']}" if s["failures"] else "")
                    for name, s in stats.items()
                )
                cpu_ms = next(iter(stats.values()))["cpu_ms"]
                summary += f"; server CPU {cpu_ms:.1f} ms/req, load {load:.1f}"
                log(f"{db} {size:,} round {round_no} {scenario}: {summary}")
        pids = worker_pids(server.pid)
        results["worker_peak_rss_mb"] = [round(peak_rss_mb(pid), 1) for pid in pids]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        gunicorn_log.close()
    if args.tasks == "database":
        results["worker"] = worker_sample(env)
        log(f"{db} {size:,}: task worker {results['worker']}")
    counted = run([PYTHON, "bench/queries.py", "--manifest", str(manifest)], env)
    results["queries"] = json.loads(counted.stdout.strip().splitlines()[-1])
    log(f"{db} {size:,}: queries {results['queries']}, "
        f"peak RSS per worker {results['worker_peak_rss_mb']} MB")
    if db == "postgres" and not args.keep:
        drop_postgres(args.pg_url)
    return results


_TASK_COUNTS = (
    "from django_tasks_db.models import DBTaskResult as T; import json; "
    "print(json.dumps({s: T.objects.filter(status=s).count() "
    "for s in ('READY', 'SUCCESSFUL', 'FAILED')}))"
)


def worker_sample(env: dict, tasks: int = 600) -> dict:
    """After the load: what the run queued for the workers, and how fast one db_worker
    process (as production runs them) works through the first `tasks` of it."""
    def counts():
        out = run([PYTHON, "manage.py", "shell", "-c", _TASK_COUNTS], env).stdout
        return json.loads(out.strip().splitlines()[-1])

    before = counts()
    t = time.perf_counter()
    run([PYTHON, "manage.py", "db_worker", "--batch", "--max-tasks", str(tasks),
         "--no-startup-delay"], env)
    seconds = time.perf_counter() - t
    after = counts()
    done = after["SUCCESSFUL"] - before["SUCCESSFUL"]
    return {"queued": before["READY"], "sampled": done, "failed": after["FAILED"],
            "tasks_per_s": round(done / seconds, 1)}


def endpoint_rows(result: dict) -> list[dict]:
    """One row per endpoint; book_cancel gives a row for the pair and one for each half."""
    ep, q = result["endpoints"], result["queries"]
    rows = []
    for name in ["floor", *READS]:
        if name in ep:
            rows.append({"name": name, **ep[name], "queries": str(q.get(name, "?"))})
    if "book" in ep and "cancel" in ep:
        b, c = ep["book"], ep["cancel"]
        rows.append({
            "name": "book+cancel", "rps": b["rps"] + c["rps"], "p50": max(b["p50"], c["p50"]),
            "p99": max(b["p99"], c["p99"]), "cpu_ms": b["cpu_ms"], "load": b["load"],
            "failures": b["failures"] + c["failures"],
            "queries": f"{q.get('book', '?')}+{q.get('cancel', '?')}",
        })
        rows.append({"name": "  book (POST)", **b, "queries": str(q.get("book", "?"))})
        rows.append({"name": "  cancel (DELETE)", **c, "queries": str(q.get("cancel", "?"))})
    return rows


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "—"


def table(results: list[dict]) -> str:
    by_key = {(r["db"], r["size"]): r for r in results}
    smallest = {db: min(r["size"] for r in results if r["db"] == db) for db, _ in by_key}
    lines = [
        "| db | appointments | endpoint | req/s | p50 ms | p99 ms | × floor | × own at smallest "
        "| server CPU ms/req | × floor (CPU) | × own at smallest (CPU) | queries/req | failures "
        "| load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows = endpoint_rows(r)
        floor = next((row for row in rows if row["name"] == "floor"), {})
        base = by_key[(r["db"], smallest[r["db"]])]
        base_rows = {row["name"]: row for row in endpoint_rows(base)} if base is not r else {}
        for row in rows:
            other = base_rows.get(row["name"], {})
            is_floor = row["name"] == "floor"
            lines.append(
                f"| {r['db']} | {r['size']:,} | {row['name']} | {row['rps']:.0f} "
                f"| {row['p50']:.0f} | {row['p99']:.0f} "
                f"| {'—' if is_floor else _ratio(row['rps'], floor.get('rps'))} "
                f"| {_ratio(row['rps'], other.get('rps'))} | {row['cpu_ms']:.1f} "
                f"| {'—' if is_floor else _ratio(floor.get('cpu_ms'), row['cpu_ms'])} "
                f"| {_ratio(other.get('cpu_ms'), row['cpu_ms'])} | {row['queries']} "
                f"| {row['failures']} | {row['load']:.1f} |"
            )
    return "\n".join(lines)


def rss_table(results: list[dict]) -> str:
    lines = ["| db | appointments | fill (s) | peak RSS per worker (MB) | tasks queued by the run "
             "| one db_worker, tasks/s (failed) |", "|---|---:|---:|---|---:|---|"]
    for r in results:
        rss = ", ".join(f"{x:.0f}" for x in r.get("worker_peak_rss_mb", []))
        worker = r.get("worker")
        queued, rate = ("—", "—") if not worker else (
            f"{worker['queued']:,}", f"{worker['tasks_per_s']:.0f} ({worker['failed']})")
        lines.append(f"| {r['db']} | {r['size']:,} | {r['fill_seconds']:.0f} | {rss} "
                     f"| {queued} | {rate} |")
    return "\n".join(lines)


def machine() -> str:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {pg or 'PostgreSQL'}, SQLite "
            f"{__import__('sqlite3').sqlite_version}")


def write_doc(path: Path, results: list[dict], args, command: str, elapsed: float) -> None:
    kept = ""
    if path.exists():
        text = path.read_text()
        if NOTES_MARKER in text:
            kept = text.split(NOTES_MARKER, 1)[1]
    doc = f"""# API benchmark

The latest figures of `bench/run.py` (see the notes below for how to read them and what
was found). Regenerate with:

```
{command}
```

- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; whole run {elapsed / 60:.1f} min.
- Machine: {machine()}. The load generator, the two gunicorn workers and the
  database share these CPUs.
- Server: gunicorn `clinic.wsgi:application`, {args.workers} workers, worker class
  `{args.worker_class}`{f" ({args.threads} threads)" if args.worker_class == "gthread" else ""},
  DEBUG=0, production settings (persistent database connections, SQLite in WAL
  mode), TASKS_BACKEND={args.tasks} with console mail/SMS (no task
  worker runs during the load: see the last table), the default file cache (no REDIS_URL).
- Load: locust headless (FastHttpUser), {args.users} users back to back, {args.warmup} s
  warm-up, then {args.duration} s per endpoint, all endpoints in turn {args.rounds} times; the
  best round of each endpoint counts (other work only slows a round down).
  Clinic: {args.doctors} doctors, {args.patients:,} patients; each reading patient has 80
  past appointments, 5 upcoming, up to 10 consultations and 10 lab reports at every size.
- × floor: req/s over the floor's (GET /healthz) in the same run. × own at smallest: req/s
  over the same endpoint's at the smallest size on the same database. book+cancel: each
  user books a fresh slot and cancels it; req/s counts both requests, p50/p99 are the
  worse of the two. Queries per request: counted in-process with CaptureQueriesContext.
- Server CPU ms/req: CPU time of the gunicorn workers (and, on PostgreSQL, of the bench
  database's backends) during the endpoint's run, over its requests; its ratios (floor's
  CPU over the endpoint's, own at smallest over own) are the cost ratios, steadier than
  req/s when other work shares the machine. load: the 1-minute load average at the end
  of the endpoint's run (2 = both CPUs busy with the benchmark alone).

{table(results)}

{rss_table(results)}

{NOTES_MARKER}{kept or chr(10)}"""
    path.write_text(doc)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,1000000", help="appointments per clinic")
    parser.add_argument("--endpoints", default=",".join(SCENARIOS))
    parser.add_argument("--duration", type=int, default=15, help="seconds per endpoint and round")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times each endpoint is run; the best round counts")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--doctors", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--tasks", default="database", choices=["database", "immediate", "dummy"],
        help="TASKS_BACKEND: database queues notifications for db_worker (production); "
        "immediate renders and sends the booking mail/SMS (console) in the request",
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/cms_bench")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"),
                        help="the Markdown report ('' for none)")
    parser.add_argument("--json", default="", help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the databases and temp files")
    parser.add_argument(
        "--nice", type=int, default=-10 if os.geteuid() == 0 else 0,
        help="niceness of gunicorn and locust (negative: ahead of other work on the machine)",
    )
    args = parser.parse_args(argv)
    global NICE
    NICE = args.nice
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    unknown = set(args.endpoints) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown endpoints: {sorted(unknown)}")
    if args.users > args.doctors and "book_cancel" in args.endpoints:
        parser.error("book_cancel gives each user a doctor of its own: --users <= --doctors")

    given = argv if argv is not None else sys.argv[1:]
    command = ".venv/bin/python bench/run.py " + shlex.join(given)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="cms-bench-"))
    log(f"work folder {workdir}")
    results = []
    try:
        for db in args.db.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                results.append(bench_one(db=db, size=size, args=args, workdir=workdir))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print()
    print(table(results))
    print()
    print(rss_table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.out:
        write_doc(Path(args.out), results, args, command, elapsed)
        log(f"wrote {args.out}")
    log(f"done in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()
