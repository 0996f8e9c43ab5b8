#!/usr/bin/env python3
"""Two commands for a fresh machine with Python 3.11+ and nothing else.

    python3 dev.py start   install, migrate, load the demo clinic, serve on :8000
    python3 dev.py test    install test tools and run the whole test suite
    python3 dev.py cluster the production layout on this machine (deploy/cluster.py):
                           HAProxy, two app servers, two workers, PostgreSQL, Redis, S3

Both create ./.venv and install the pinned requirements into it first.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


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


def start() -> None:
    ensure_venv("requirements.txt")
    run(PYTHON, "manage.py", "migrate", "--noinput")
    run(PYTHON, "manage.py", "seed_demo")
    print("\nServing the clinic on http://127.0.0.1:8000 (Ctrl+C stops it)", flush=True)
    os.execv(str(PYTHON), [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000"])


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
        start()
    elif command == "test":
        test(extra)
    elif command == "cluster":
        cluster()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
