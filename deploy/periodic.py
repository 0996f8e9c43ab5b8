"""The periodic jobs, for hosts without systemd timers (Compose, the local cluster).

    python -m deploy.periodic

Runs each job as its own `manage.py` process at its interval, as the systemd
timers in deploy/systemd/ do; a failing job is logged and tried again at its
next turn. Every job is safe to run on several hosts at once: each claims its
rows (reminders, retries, lapsed holds) with a compare-and-swap or a row lock.
Intervals are seconds, from PERIODIC_<JOB>_SECONDS.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (job, manage.py command, default interval in seconds)
JOBS = [
    ("reminders", ["send_reminders"], 15 * 60),
    ("retries", ["retry_messages"], 60),
    ("prune_otp", ["prune_otp"], 60 * 60),
    ("prune_outbox", ["prune_outbox"], 24 * 60 * 60),
    # Each offer also queues its own release at its expiry; this catches the rest.
    ("waitlist", ["waitlist_release"], 60),
]


def available_commands() -> set[str]:
    listing = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(listing.stdout.split())


def main() -> None:
    known = available_commands()
    jobs = [
        (name, argv, int(os.environ.get(f"PERIODIC_{name.upper()}_SECONDS", every)))
        for name, argv, every in JOBS
        if argv[0] in known
    ]
    due = {name: 0.0 for name, _, _ in jobs}
    print(f"periodic jobs: {', '.join(f'{n} every {s} s' for n, _, s in jobs)}", flush=True)
    while True:
        now = time.monotonic()
        for name, argv, every in jobs:
            if now < due[name]:
                continue
            due[name] = now + every
            finished = subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT)
            if finished.returncode:
                print(f"periodic job {name} failed ({finished.returncode})", flush=True)
        time.sleep(max(0.5, min(due.values()) - time.monotonic()))


if __name__ == "__main__":
    main()
