#!/usr/bin/env python3
"""Two commands for a fresh machine with Python 3.11+ and nothing else.

    python3 dev.py start   install, migrate, load the demo clinic, serve on :8000
    python3 dev.py test    install test tools and run the whole test suite
    python3 dev.py cluster the production layout on this machine (deploy/cluster.py):
                           HAProxy, two app servers, two workers, PostgreSQL, Redis, S3

`start --port N` (or the PORT environment variable) serves on port N instead;
without either, a busy 8000 makes it take the next free port and say so.

Both create ./.venv and install the pinned requirements into it first.
"""

import hashlib
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEFAULT_PORT = 8000
HOST = "127.0.0.1"


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_venv(requirements: str) -> None:
    """Create .venv and install `requirements` unless the same file is already installed."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py may be run by an older python3)
        sys.exit("CMS needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256()
    for name in ("requirements.txt", requirements):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", requirements)
    stamp.write_text(digest.hexdigest())


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def wanted_port(args: list[str], environ) -> int | None:
    """The port asked for with `--port N`, `--port=N` or PORT, else None."""
    raw = environ.get("PORT") or None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--port":
            raw = rest.pop(0) if rest else ""
        elif arg.startswith("--port="):
            raw = arg.split("=", 1)[1]
        else:
            sys.exit(f"Unknown option {arg!r}. Usage: python3 dev.py start [--port N]")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        sys.exit(f"The port must be a number from 1 to 65535, not {raw!r}.")
    return int(raw)


def choose_port(wanted: int | None, is_free=port_is_free) -> int:
    """The asked-for port (which must be free), else 8000 or the next free one after it."""
    if wanted is not None:
        if not is_free(wanted):
            sys.exit(f"Port {wanted} is busy. Pick another: python3 dev.py start --port N")
        return wanted
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 100):
        if is_free(port):
            if port != DEFAULT_PORT:
                print(f"Port {DEFAULT_PORT} is busy; using {port} instead.", flush=True)
            return port
    sys.exit("No free port from 8000 to 8099. Pick one: python3 dev.py start --port N")


def start(args: list[str]) -> None:
    port = choose_port(wanted_port(args, os.environ))
    ensure_venv("requirements.txt")
    run(PYTHON, "manage.py", "migrate", "--noinput")
    run(PYTHON, "manage.py", "seed_demo")
    print(f"\nServing the clinic on http://{HOST}:{port} (Ctrl+C stops it)", flush=True)
    os.execv(str(PYTHON), [str(PYTHON), "manage.py", "runserver", f"{HOST}:{port}"])


def test(extra: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    completed = subprocess.run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)
    sys.exit(completed.returncode)


def cluster() -> None:
    ensure_venv("requirements-dev.txt")
    os.execv(str(PYTHON), [str(PYTHON), "-m", "deploy.cluster"])


def main() -> None:
    command, extra = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "start":
        start(extra)
    elif command == "test":
        test(extra)
    elif command == "cluster":
        cluster()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
