"""Where each request's CPU time goes, per benchmarked endpoint, in-process (issue #16).

Fills a clinic with bench/fill.py (or reuses the one a previous run left, --reuse),
then sends every endpoint of the benchmark N times through Django's test client
(the paths of bench/queries.py and bench/fhir_paths.py) with the production
settings bench/run.py gives gunicorn, and prints a Markdown table of CPU ms per
request in each category:

- framework: everything in the request not counted below: Django's handler and
  middleware, DRF's dispatch (content negotiation, permissions, throttles, the
  exception handler), URL resolution, signals;
- authentication: DRF's `Request._authenticate` (the authenticators' `authenticate`);
- view: the view's own method (`get`, `post`, `delete` of the endpoint's DRF class);
- queries: the ORM and the database driver: QuerySet building, evaluation (SQL
  compile, execute, fetch, converting rows, building instances or the FHIR searches'
  row objects, prefetches), model
  saves (with their signal handlers), transactions, raw cursors, connecting;
- cache: the default cache's get/set family (the doctor directory and weeks);
- serialization: DRF serializers (`to_representation`, `is_valid`), the lists'
  compiled value-row serializers (`CompiledSerializer.data`) and the FHIR mappings
  (each mapping module's `to_fhir` and the searchset Bundle);
- rendering: the DRF response's `rendered_content` (the renderer) and JsonResponse.

How: each of those functions is wrapped for the run; a wrapper pushes its category
on a stack, and the thread's CPU time (and wall time) between two events is
charged to the category on top. So the innermost category wins: the token query
made inside authentication counts as queries, a queryset a serializer evaluates
lazily counts as queries, a serializer called by the view counts as serialization.
The request starts at the test client's handler (`ClientHandler.__call__`: what a
WSGI server calls), so the categories add up to `total`; the test client's own
work around it (building the request, reading the response) is outside. Each
endpoint is also run without any wrapper: `in-process` is the CPU (and wall) time
of the whole test client call then, the figure without the instrumentation's cost.
On PostgreSQL the database works in its own process: `queries wall` minus
`queries` is roughly the time spent waiting for it.

    .venv/bin/python bench/profile.py --db sqlite --size 10000
    .venv/bin/python bench/profile.py --db postgres --size 10000 --reuse --top 8

The database is the SQLite file in --workdir, or --pg-url (cms_profiles by
default, dropped and created unless --reuse finds the manifest of an earlier
run in --workdir).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As a script, this file's folder comes first on sys.path and would shadow the standard
# library's `profile` module, which cProfile imports.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import datetime as dt  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pkgutil  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.fhir_paths import FHIR_READS  # noqa: E402
from bench.fill import booking_pool  # noqa: E402

CATEGORIES = ("framework", "authentication", "view", "queries", "cache", "serialization",
              "rendering")
ENDPOINTS = ["floor", "doctors", "slots", "active", "history", "reports", "consultations",
             *FHIR_READS, "book_cancel"]
_QUERYSET_METHODS = (
    "__init__", "_fetch_all", "__getitem__", "all", "filter", "exclude", "get", "create",
    "get_or_create", "update_or_create", "bulk_create", "count", "exists", "aggregate",
    "update", "delete", "first", "last", "in_bulk", "only", "defer", "select_related",
    "prefetch_related", "order_by", "annotate", "alias", "values", "values_list", "distinct",
    "union", "select_for_update", "using",
)
_CACHE_METHODS = ("get", "set", "add", "delete", "get_many", "set_many", "get_or_set", "incr",
                  "has_key", "touch", "delete_many")
_VIEW_METHODS = ("get", "post", "delete", "put", "patch")


def _targets() -> list[tuple[object, str, str]]:
    """(owner, attribute, category) of every function the attribution wraps."""
    from django.core.cache import caches
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper
    from django.db.models import Model
    from django.db.models.query import QuerySet
    from django.db.models.sql import compiler
    from django.db.transaction import Atomic
    from django.http import JsonResponse
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.serializers import BaseSerializer, ListSerializer, Serializer

    from clinic.api import value_rows
    from clinic.fhir import mappings, registry
    from clinic.fhir import views as fhir_views

    targets = [(Request, "_authenticate", "authentication")]
    targets += [(QuerySet, name, "queries") for name in _QUERYSET_METHODS]
    targets += [(Model, "save_base", "queries"), (Model, "delete", "queries")]
    targets += [
        (cls, "execute_sql", "queries")
        for cls in vars(compiler).values()
        if inspect.isclass(cls) and "execute_sql" in vars(cls)
    ]
    targets += [(CursorWrapper, name, "queries") for name in ("execute", "executemany",
                                                              "callproc")]
    targets += [(BaseDatabaseWrapper, "ensure_connection", "queries"),
                (Atomic, "__enter__", "queries"), (Atomic, "__exit__", "queries")]
    cache_class = type(caches["default"])
    targets += [(cache_class, name, "cache") for name in _CACHE_METHODS
                if hasattr(cache_class, name)]
    # Value rows: a list serializer compiled over .values() (its query nested: queries),
    # and the FHIR searches' row objects, loaded as instances would be.
    targets += [(value_rows.CompiledSerializer, "data", "serialization"),
                (registry, "row_objects", "queries")]
    targets += [(Serializer, "to_representation", "serialization"),
                (ListSerializer, "to_representation", "serialization"),
                (BaseSerializer, "is_valid", "serialization"),
                (fhir_views, "searchset", "serialization")]
    for info in pkgutil.iter_modules(mappings.__path__):
        module = importlib.import_module(f"{mappings.__name__}.{info.name}")
        if callable(getattr(module, "to_fhir", None)):
            targets.append((module, "to_fhir", "serialization"))
        resource = getattr(module, "RESOURCE", None)
        if callable(getattr(resource, "to_fhir", None)):
            targets.append((resource, "to_fhir", "serialization"))
    targets += [(Response, "rendered_content", "rendering"),
                (JsonResponse, "__init__", "rendering")]
    return targets


class Attribution:
    """Charges the thread's CPU and wall time to the category on top of a stack."""

    def __init__(self):
        self.stack: list[str] = []
        self.records: list[dict] = []

    def start(self) -> None:
        self.cpu = dict.fromkeys(CATEGORIES, 0.0)
        self.wall = dict.fromkeys(CATEGORIES, 0.0)
        self.stack.append("framework")
        self.mark_cpu, self.mark_wall = time.thread_time(), time.perf_counter()

    def stop(self) -> None:
        self._charge(self.stack.pop())
        self.records.append({"cpu": self.cpu, "wall": self.wall})

    def _charge(self, category: str) -> None:
        now_cpu, now_wall = time.thread_time(), time.perf_counter()
        self.cpu[category] += now_cpu - self.mark_cpu
        self.wall[category] += now_wall - self.mark_wall
        self.mark_cpu, self.mark_wall = now_cpu, now_wall

    def enter(self, category: str) -> None:
        top = self.stack[-1]
        if top != category:  # nested in its own category: nothing to split
            self._charge(top)
        self.stack.append(category)

    def exit(self) -> None:
        category = self.stack.pop()
        if self.stack[-1] != category:
            self._charge(category)


def _wrapped(fn, category: str, acct: Attribution):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not acct.stack:  # outside a request (the test client's own work)
            return fn(*args, **kwargs)
        acct.enter(category)
        try:
            return fn(*args, **kwargs)
        finally:
            acct.exit()

    return wrapper


def _root(fn, acct: Attribution):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        acct.start()
        try:
            return fn(*args, **kwargs)
        finally:
            acct.stop()

    return wrapper


@contextlib.contextmanager
def instrumented(acct: Attribution, view_classes):
    """Wrap the attribution's functions (and the views' methods) for the block."""
    from django.test.client import ClientHandler

    _missing = object()
    saved = []

    def patch(owner, name, make):
        static = inspect.getattr_static(owner, name)
        saved.append((owner, name, vars(owner).get(name, _missing)))
        if isinstance(static, property):
            setattr(owner, name, property(make(static.fget), static.fset, static.fdel))
        else:
            setattr(owner, name, make(getattr(owner, name)))

    try:
        patch(ClientHandler, "__call__", lambda fn: _root(fn, acct))
        for owner, name, category in _targets():
            patch(owner, name, lambda fn, c=category: _wrapped(fn, c, acct))
        for cls in view_classes:
            for name in _VIEW_METHODS:
                if hasattr(cls, name):
                    patch(cls, name, lambda fn: _wrapped(fn, "view", acct))
        yield acct
    finally:
        for owner, name, original in reversed(saved):
            if original is _missing:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


def endpoint_requests(manifest: dict, name: str) -> list[tuple[str, object, object]]:
    """[(label, request function, expected status)]: what one round of `name` sends."""
    from bench.queries import booker_client, read_requests

    if name != "book_cancel":
        client, path = read_requests(manifest)[name]
        return [(name, functools.partial(client.get, path), 200)]
    client, body = booker_client(manifest)
    # The pool's slots from the back (bench/queries.py takes the last two, the load run
    # starts at the front); each is booked and cancelled, so the cycle can repeat.
    pool = itertools.cycle(reversed(booking_pool(today=dt.date.fromisoformat(manifest["today"]))))
    booked = []

    def book():
        response = client.post("/cms-api/booking/", body(*next(pool)),
                               content_type="application/json")
        if response.status_code == 201:
            booked.append(response.json()["data"]["Booking_id"])
        return response

    def cancel():
        return client.delete("/cms-api/booking/", {"booking-ids": [booked.pop()]},
                             content_type="application/json")

    return [("book", book, 201), ("cancel", cancel, 200)]


def _view_classes(manifest: dict, names) -> set:
    from django.urls import resolve

    from bench.queries import read_requests

    paths = [path for name, (_, path) in read_requests(manifest).items() if name in names]
    if "book_cancel" in names:
        paths.append("/cms-api/booking/")
    found = set()
    for path in paths:
        cls = getattr(resolve(path.split("?")[0]).func, "cls", None)
        if cls is not None:
            found.add(cls)
    return found


def _send(request, expected, label):
    response = request()
    if response.status_code != expected:
        raise RuntimeError(f"{label}: {response.status_code} {response.content[:300]!r}")


def profile_endpoints(manifest: dict, names, *, n: int = 200, warmup: int = 20,
                      rounds: int = 5, top: int = 0) -> dict[str, dict]:
    """Per request label: CPU ms per category and `total` (their sum), `queries_wall`,
    `in_process` and `in_process_wall` (uninstrumented), and with `top` the cProfile
    functions with the most own time."""
    acct = Attribution()
    views = _view_classes(manifest, names)
    results = {}
    for name in names:
        requests = endpoint_requests(manifest, name)
        for _ in range(warmup):  # per-process caches, connections, the cached doctors
            for label, request, expected in requests:
                _send(request, expected, label)
        plain = {label: [0.0, 0.0] for label, _, _ in requests}
        sums = {label: {"cpu": dict.fromkeys(CATEGORIES, 0.0),
                        "wall": dict.fromkeys(CATEGORIES, 0.0)} for label, _, _ in requests}
        # Plain and instrumented requests take turns in `rounds` slices, so that a burst of
        # other work on the machine falls on both alike.
        for part in range(rounds):
            count = n // rounds + (part < n % rounds)
            for _ in range(count):
                for label, request, expected in requests:
                    cpu, wall = time.thread_time(), time.perf_counter()
                    _send(request, expected, label)
                    plain[label][0] += time.thread_time() - cpu
                    plain[label][1] += time.perf_counter() - wall
            with instrumented(acct, views):
                for _ in range(count):
                    for label, request, expected in requests:
                        del acct.records[:]
                        _send(request, expected, label)
                        if len(acct.records) != 1:
                            raise RuntimeError(f"{label}: {len(acct.records)} handler calls")
                        for kind in ("cpu", "wall"):
                            for category, seconds in acct.records[0][kind].items():
                                sums[label][kind][category] += seconds
        for label, _, _ in requests:
            row = {c: 1000 * s / n for c, s in sums[label]["cpu"].items()}
            row["total"] = sum(row[c] for c in CATEGORIES)
            row["queries_wall"] = 1000 * sums[label]["wall"]["queries"] / n
            row["in_process"] = 1000 * plain[label][0] / n
            row["in_process_wall"] = 1000 * plain[label][1] / n
            results[label] = row
        if top:
            for label, hot in _hot_functions(requests, n=n, top=top).items():
                results[label]["hot"] = hot
    return results


def _hot_functions(requests, *, n: int, top: int) -> dict[str, list]:
    """cProfile, one label at a time: the `top` functions by own time, ms per request."""
    found = {}
    for label, request, expected in requests:
        profiler = cProfile.Profile(time.thread_time)
        for _ in range(n):
            for other, other_request, other_expected in requests:
                if other == label:
                    profiler.enable()
                    _send(request, expected, label)
                    profiler.disable()
                else:
                    _send(other_request, other_expected, other)
        stats = pstats.Stats(profiler, stream=io.StringIO())
        rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
        found[label] = [
            {"function": f"{_short(file)}:{line}({func})", "calls": calls / n,
             "own_ms": 1000 * own / n, "inclusive_ms": 1000 * inclusive / n}
            for (file, line, func), (_, calls, own, inclusive, _) in rows
        ]
    return found


def _short(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def table(results: dict[str, dict]) -> str:
    head = ["endpoint", *CATEGORIES, "total", "queries wall", "in-process", "in-process wall"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for label, row in results.items():
        values = [row[c] for c in (*CATEGORIES, "total", "queries_wall", "in_process",
                                   "in_process_wall")]
        lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    return "\n".join(lines)


def hot_lists(results: dict[str, dict]) -> str:
    out = []
    for label, row in results.items():
        if "hot" not in row:
            continue
        out.append(f"{label}:")
        out += [f"  {h['own_ms']:.3f} own / {h['inclusive_ms']:.3f} incl. ms, "
                f"{h['calls']:g} calls  {h['function']}" for h in row["hot"]]
    return "\n".join(out)


def prepare(args) -> dict:
    """The environment bench/run.py gives gunicorn, Django set up, and the clinic's manifest."""
    from bench.fill import _setup_django, fill
    from bench.run import recreate_postgres, server_env

    workdir = Path(args.workdir or Path(tempfile.gettempdir()) / f"cms-profiles-{args.db}-"
                   f"{args.size}")
    manifest_path = workdir / "manifest.json"
    reuse = args.reuse and manifest_path.exists()
    if not reuse:
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file and the cache with it
        (workdir / "static").mkdir(parents=True)
        if args.db == "postgres":
            recreate_postgres(args.pg_url)
    env = server_env(db=args.db, var_dir=workdir, pg_url=args.pg_url)
    for key in [k for k in os.environ if k.startswith(("DJANGO_", "DATABASE_"))]:
        del os.environ[key]
    os.environ.update(env)
    _setup_django()
    if reuse:
        return json.loads(manifest_path.read_text())
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    manifest = fill(appointments=args.size, patients=args.patients, doctors=args.doctors,
                    log=lambda msg: print(msg, file=sys.stderr))
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--size", type=int, default=10_000, help="appointments in the clinic")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--doctors", type=int, default=20)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/cms_profiles")
    parser.add_argument("--workdir", default="",
                        help="var folder (SQLite file, cache, manifest); default in /tmp by "
                        "db and size")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the clinic a run with the same --workdir filled")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("-n", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5,
                        help="slices in which plain and instrumented requests take turns")
    parser.add_argument("--top", type=int, default=0,
                        help="also list the N functions with the most own time (cProfile)")
    parser.add_argument("--json", default="", help="also write the raw results here")
    args = parser.parse_args(argv)
    names = [e for e in args.endpoints.split(",") if e]
    unknown = set(names) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoints: {sorted(unknown)}")
    manifest = prepare(args)
    results = profile_endpoints(manifest, names, n=args.n, warmup=args.warmup,
                                rounds=args.rounds, top=args.top)
    print(f"{args.db}, {manifest['appointments']:,} appointments, {args.n} requests per "
          "endpoint, CPU ms per request (wall where marked)\n")
    print(table(results))
    if args.top:
        print()
        print(hot_lists(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
