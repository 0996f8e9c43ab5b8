"""A production-shaped CMS on this machine: the local cluster.

    python3 dev.py cluster          # start it, print the addresses, Ctrl+C stops it
    .venv/bin/python -m deploy.cluster

Every piece is a separate process in its own process group, as separate hosts
would be, and the app servers share nothing but the shared stores:

    HAProxy (deploy/haproxy.cfg) -> app1, app2 (gunicorn, deploy/gunicorn.conf.py)
    PostgreSQL (a private instance) . Redis (a private instance) . S3 (moto's server)
    db_worker x 2 . the periodic jobs (deploy/periodic.py, what the systemd timers run)
    an SMTP server that keeps every message it receives (aiosmtpd's Mailbox)

Run as root, each app server is a host of its own: a network namespace (`ip netns`)
joined to this machine by a veth pair, with an address of its own, reaching the
shared stores at one service address and reached by the balancer. Elsewhere the app
servers listen on their own loopback addresses (127.0.0.11, 127.0.0.12, ...). Either
way each has its own CMS_VAR_DIR, so nothing one writes to its disk is seen by the
other. tests/cluster/ drives this class: it kills, stops and restarts pieces.
Everything listens on 127.0.0.0/8 only.
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
S3_BUCKET = "cms-cluster"
S3_KEY, S3_SECRET = "AKIDCMSCLUSTER", "cms-cluster-secret-key"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _netns_works() -> bool:
    """Network namespaces need root and iproute2; try one rather than guess."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    probe = f"cms-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    if made:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return made


def wait_for(check, *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    host: str = "127.0.0.1"
    port: int | None = None
    user: str | None = None
    netns: str | None = None  # the network namespace it runs in (its own host)
    # Started again when it exits, as systemd's Restart=always does for the units in
    # deploy/systemd/ (a db_worker exits when it loses the database).
    supervised: bool = False
    starts: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        out = self.log.open("ab")
        argv = ["ip", "netns", "exec", self.netns, *self.argv] if self.netns else self.argv
        self.process = subprocess.Popen(
            argv,
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, as on its own host
            user=self.user,
        )
        self.starts += 1
        out.close()

    def wait_ready(self, timeout: float = 60) -> None:
        if self.port is None:
            return
        wait_for(
            lambda: self.running and port_open(self.host, self.port),
            timeout=timeout,
            what=f"{self.name} (log: {self.log})",
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """kill -9 of the whole process group: a crash, no goodbye."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 20) -> None:
        if not self.running:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


class Cluster:
    """Start, break and stop the production layout on loopback."""

    def __init__(
        self,
        base: Path | None = None,
        *,
        apps: int = 2,
        workers: int = 2,
        seed: bool = True,
        extra_env: dict[str, str] | None = None,
        smtp_handler: str = "aiosmtpd.handlers.Mailbox",
        netns: bool | None = None,
    ):
        self.base = Path(base or tempfile.mkdtemp(prefix="cms-cluster-"))
        self.base.mkdir(parents=True, exist_ok=True)
        self.logs = self.base / "logs"
        self.logs.mkdir(exist_ok=True)
        self.seed = seed
        self.ports = {
            "postgres": free_port(),
            "redis": free_port(),
            "s3": free_port(),
            "smtp": free_port(),
            "lb": free_port(),
        }
        self.netns = _netns_works() if netns is None else netns
        # Addresses private to this cluster: 10.213.K.1 is the stores' service address
        # (on this machine's loopback), 10.214.K.0/24 holds the veth links, 4 per /30.
        self._k = 16 + os.getpid() % 200
        if self.netns:
            self.service_host = f"10.213.{self._k}.1"
            self.app_hosts = [(f"10.214.{self._k}.{4 * i + 2}", 8000) for i in range(apps)]
        else:
            self.service_host = "127.0.0.1"
            self.app_hosts = [(f"127.0.0.{11 + i}", free_port()) for i in range(apps)]
        self.secret_key = secrets.token_urlsafe(50)
        self.extra_env = extra_env or {}
        # aiosmtpd handler class, given the mailbox folder: Maildir by default.
        self.smtp_handler = smtp_handler
        self.services: dict[str, Service] = {}
        self._stopping = threading.Event()
        self.app_names = [f"app{i + 1}" for i in range(apps)]
        self.worker_names = [f"worker{i + 1}" for i in range(workers)]

    # --- addresses -------------------------------------------------------------
    @property
    def url(self) -> str:
        """The balancer: the only address clients use."""
        return f"http://127.0.0.1:{self.ports['lb']}"

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@{self.service_host}:{self.ports['postgres']}/cms"

    @property
    def mailbox_path(self) -> Path:
        return self.base / "mailbox"

    def app_url(self, name: str) -> str:
        host, port = self.app_hosts[self.app_names.index(name)]
        return f"http://{host}:{port}"

    # --- environment -----------------------------------------------------------
    def django_env(self, name: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "S3_", "CMS_"))
        }
        var_dir = self.base / "var" / name  # each host its own disk
        var_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            DJANGO_SETTINGS_MODULE="clinic.settings",
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            # The balancer's name, and each app server's own for direct probes.
            ALLOWED_HOSTS=",".join(["127.0.0.1", "localhost", *(h for h, _ in self.app_hosts)]),
            CMS_VAR_DIR=str(var_dir),
            DATABASE_URL=self.database_url,
            DB_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://{self.service_host}:{self.ports['redis']}/0",
            S3_BUCKET=S3_BUCKET,
            S3_ENDPOINT_URL=f"http://{self.service_host}:{self.ports['s3']}",
            S3_REGION="us-east-1",
            S3_ACCESS_KEY_ID=S3_KEY,
            S3_SECRET_ACCESS_KEY=S3_SECRET,
            S3_ADDRESSING_STYLE="path",
            TASKS_BACKEND="database",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.ports["smtp"]),
            EMAIL_TIMEOUT="5",
            SMS_BACKEND="clinic.notifications.backends.sms_console.ConsoleSmsBackend",
            USE_TWILIO="0",
            BEHIND_PROXY="1",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            CMS_NAME=f"cms-{name}",
        )
        env.update(self.extra_env)
        return env

    # --- the pieces ------------------------------------------------------------
    def _postgres(self) -> Service:
        data = self.base / "pg"
        user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            user = "postgres"
        if not (data / "PG_VERSION").exists():
            data.mkdir(exist_ok=True)
            if user:
                pw = pwd.getpwnam(user)
                os.chown(self.base, pw.pw_uid, pw.pw_gid)
                os.chown(data, pw.pw_uid, pw.pw_gid)
            subprocess.run(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                user=user,
            )
            if self.netns:  # the app servers reach it from their own hosts
                with (data / "pg_hba.conf").open("a") as hba:
                    hba.write(f"host all all 10.214.{self._k}.0/24 trust\n")
                    hba.write(f"host all all {self.service_host}/32 trust\n")
        return Service(
            "postgres",
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.ports["postgres"]),
                "-k",
                str(data),
                "-c",
                f"listen_addresses={','.join(dict.fromkeys(['127.0.0.1', self.service_host]))}",
                "-c",
                "max_connections=200",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
            ],
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            log=self.logs / "postgres.log",
            host=self.service_host,
            port=self.ports["postgres"],
            user=user,
        )

    def _services(self) -> list[Service]:
        services = [
            self._postgres(),
            Service(
                "redis",
                [
                    "redis-server",
                    "--bind",
                    *dict.fromkeys(["127.0.0.1", self.service_host]),
                    "--port",
                    str(self.ports["redis"]),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    # Bound to loopback and the cluster's private service address only.
                    "--protected-mode",
                    "no",
                ],
                env=dict(os.environ),
                log=self.logs / "redis.log",
                host=self.service_host,
                port=self.ports["redis"],
            ),
            Service(
                "s3",
                [PYTHON, "-m", "moto.server", "-H", self.service_host, "-p", str(self.ports["s3"])],
                env=dict(os.environ),
                log=self.logs / "s3.log",
                host=self.service_host,
                port=self.ports["s3"],
            ),
            Service(
                "smtp",
                [
                    PYTHON,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    f"127.0.0.1:{self.ports['smtp']}",
                    "-c",
                    self.smtp_handler,
                    str(self.mailbox_path),
                ],
                env=dict(os.environ),
                log=self.logs / "smtp.log",
                port=self.ports["smtp"],
            ),
        ]
        for name, (host, port) in zip(self.app_names, self.app_hosts, strict=True):
            env = self.django_env(name)
            env["CMS_BIND"] = f"{host}:{port}"
            services.append(
                Service(
                    name,
                    [
                        PYTHON,
                        "-m",
                        "gunicorn",
                        "-c",
                        str(ROOT / "deploy" / "gunicorn.conf.py"),
                        "clinic.wsgi:application",
                    ],
                    env=env,
                    log=self.logs / f"{name}.log",
                    host=host,
                    port=port,
                    netns=self._netns_name(name) if self.netns else None,
                )
            )
        for name in self.worker_names:
            services.append(
                Service(
                    name,
                    [PYTHON, "manage.py", "db_worker"],
                    env=self.django_env(name),
                    log=self.logs / f"{name}.log",
                    supervised=True,
                )
            )
        services.append(
            Service(
                "periodic",
                [PYTHON, "-m", "deploy.periodic"],
                env=self.django_env("periodic"),
                log=self.logs / "periodic.log",
                supervised=True,
            )
        )
        lb_env = dict(os.environ)
        lb_env.update(
            CMS_LB_BIND=f"127.0.0.1:{self.ports['lb']}",
            CMS_LB_SOCKET=str(self.base / "haproxy.sock"),
            CMS_HOST="127.0.0.1",
        )
        for i, (host, port) in enumerate(self.app_hosts, start=1):
            lb_env[f"CMS_APP{i}"] = f"{host}:{port}"
        services.append(
            Service(
                "balancer",
                ["haproxy", "-db", "-f", str(self._haproxy_config())],
                env=lb_env,
                log=self.logs / "balancer.log",
                port=self.ports["lb"],
            )
        )
        return services

    def _haproxy_config(self) -> Path:
        """deploy/haproxy.cfg with one server line per app server of this cluster."""
        lines = (ROOT / "deploy" / "haproxy.cfg").read_text().splitlines()
        kept = [line for line in lines if not line.strip().startswith("server app")]
        kept += [
            f'    server {name} "${{CMS_APP{i}}}" check'
            for i, name in enumerate(self.app_names, start=1)
        ]
        path = self.base / "haproxy.cfg"
        path.write_text("\n".join(kept) + "\n")
        return path

    # --- lifecycle -------------------------------------------------------------
    def _netns_name(self, app: str) -> str:
        return f"cms{self._k}{app}"

    def _netns_up(self) -> None:
        """Each app server's host: a namespace, a veth link to this machine, a route to
        the service address. The service address sits on this machine's loopback."""
        self._netns_down()
        ip = ["ip"]
        subprocess.run([*ip, "addr", "add", f"{self.service_host}/32", "dev", "lo"], check=True)
        for i, (name, (addr, _)) in enumerate(zip(self.app_names, self.app_hosts, strict=True)):
            ns, outer, inner = self._netns_name(name), f"cms{self._k}h{i}", f"cms{self._k}n{i}"
            gateway = f"10.214.{self._k}.{4 * i + 1}"
            for cmd in (
                ["netns", "add", ns],
                ["link", "add", outer, "type", "veth", "peer", "name", inner],
                ["link", "set", inner, "netns", ns],
                ["addr", "add", f"{gateway}/30", "dev", outer],
                ["link", "set", outer, "up"],
                ["netns", "exec", ns, "ip", "link", "set", "lo", "up"],
                ["netns", "exec", ns, "ip", "addr", "add", f"{addr}/30", "dev", inner],
                ["netns", "exec", ns, "ip", "link", "set", inner, "up"],
                [
                    "netns",
                    "exec",
                    ns,
                    "ip",
                    "route",
                    "add",
                    f"{self.service_host}/32",
                    "via",
                    gateway,
                ],
            ):
                subprocess.run([*ip, *cmd], check=True)

    def _netns_down(self) -> None:
        for name in self.app_names:
            subprocess.run(
                ["ip", "netns", "del", self._netns_name(name)],
                stderr=subprocess.DEVNULL,
                check=False,
            )
        subprocess.run(
            ["ip", "addr", "del", f"{self.service_host}/32", "dev", "lo"],
            stderr=subprocess.DEVNULL,
            check=False,
        )

    def start(self) -> Cluster:
        if self.netns:
            self._netns_up()
        for service in self._services():
            self.services[service.name] = service
        for name in ("postgres", "redis", "s3", "smtp"):
            self.services[name].start()
        for name in ("postgres", "redis", "s3", "smtp"):
            self.services[name].wait_ready()
        self._create_bucket()
        self._prepare_database()
        for name in (*self.app_names, *self.worker_names, "periodic", "balancer"):
            self.services[name].start()
        for name in (*self.app_names, "balancer"):
            self.services[name].wait_ready()
        threading.Thread(target=self._supervise, daemon=True).start()
        self.wait_healthy()
        return self

    def _supervise(self) -> None:
        """Restart supervised services one second after they exit (systemd's RestartSec=1)."""
        while not self._stopping.wait(1.0):
            for service in list(self.services.values()):
                if service.supervised and service.process and not service.running:
                    service.start()

    def _prepare_database(self) -> None:
        wait_for(self._postgres_answers, timeout=30, what="postgres")
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["postgres"]),
                "-U",
                "postgres",
                "cms",
            ],
            check=False,
            stderr=subprocess.DEVNULL,
        )
        env = self.django_env("setup")
        log = (self.logs / "setup.log").open("ab")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if self.seed:
            subprocess.run(
                [PYTHON, "manage.py", "seed_demo"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        log.close()

    def _postgres_answers(self) -> bool:
        return (
            subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.ports["postgres"])],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )

    def _create_bucket(self) -> None:
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://{self.service_host}:{self.ports['s3']}",
            region_name="us-east-1",
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        ).create_bucket(Bucket=S3_BUCKET)

    def healthy(self, url: str | None = None) -> bool:
        try:
            with urllib.request.urlopen(f"{url or self.url}/healthz", timeout=2) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def balancer(self, command: str) -> str:
        """One command on HAProxy's admin socket (e.g. "show stat")."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.base / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers_up(self) -> set[str]:
        """The app servers the balancer currently sends requests to."""
        up = set()
        for row in self.balancer("show stat").splitlines():
            cells = row.split(",")
            if (
                len(cells) > 17
                and cells[0] == "app"
                and cells[1] in self.app_names
                and cells[17] == "UP"
            ):
                up.add(cells[1])
        return up

    def wait_healthy(self, timeout: float = 60) -> None:
        """Every running app server answers /healthz and is in the balancer's pool."""
        running = {name for name in self.app_names if self.services[name].running}
        for name in running:
            wait_for(
                lambda n=name: self.healthy(self.app_url(n)),
                timeout=timeout,
                what=f"{name}'s /healthz",
            )
        wait_for(lambda: running <= self.servers_up(), timeout=timeout, what="the balancer's pool")

    def manage(self, host: str, *args: str) -> str:
        """Run a manage.py command as `host` would (its environment, its own disk)."""
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            env=self.django_env(host),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} on {host} failed: {done.stderr[-2000:]}")
        return done.stdout

    def restart(self, name: str) -> None:
        service = self.services[name]
        service.stop()
        service.start()
        service.wait_ready()

    def stop_postgres(self) -> None:
        """Stop PostgreSQL the fast way (as a restart does): sessions are cut."""
        self.services["postgres"].signal(signal.SIGINT)
        self.services["postgres"].process.wait(timeout=30)

    def start_postgres(self) -> None:
        self.services["postgres"].start()
        self.services["postgres"].wait_ready()
        wait_for(self._postgres_answers, timeout=30, what="postgres")

    def delivered_mail(self) -> list:
        """Every message the SMTP server received, in order."""
        if not self.mailbox_path.exists():
            return []
        return list(mailbox.Maildir(self.mailbox_path, create=False))

    def stop(self) -> None:
        self._stopping.set()
        for name in reversed(list(self.services)):
            self.services[name].stop()

    def remove(self) -> None:
        self.stop()
        if self.netns:
            self._netns_down()
        shutil.rmtree(self.base, ignore_errors=True)


def main() -> None:
    cluster = Cluster(base=ROOT / "var" / "cluster")
    print(f"Starting the local cluster in {cluster.base} ...", flush=True)
    try:
        cluster.start()
        print(f"\nThe clinic, through the balancer: {cluster.url}/", flush=True)
        for name in cluster.app_names:
            print(f"  {name}: {cluster.app_url(name)}  (log: {cluster.logs / name}.log)")
        print(f"  PostgreSQL: {cluster.database_url}")
        print(f"  Redis: redis://{cluster.service_host}:{cluster.ports['redis']}/0")
        print(f"  S3: http://{cluster.service_host}:{cluster.ports['s3']}/{S3_BUCKET}")
        print(f"  Mail received: {cluster.mailbox_path}")
        print("Ctrl+C stops every process.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping the cluster ...", flush=True)
        cluster.remove()


if __name__ == "__main__":
    main()
