"""Production settings, checked the way production runs them: in fresh processes.

Each test starts manage.py (or gunicorn) with the production environment of
docs/deployment.md, so nothing of the test settings leaks in.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.utils import get_random_secret_key
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]
HOST = "clinic.example"


def production_env(tmp: str, **overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # A developer's own settings must not decide the outcome.
        if not key.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_", "HTTPS",
                               "DEBUG", "BEHIND_PROXY", "SECURE_", "CSRF_", "DATABASE_URL"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": HOST,
        "STATIC_MANIFEST": "1",
        "CMS_VAR_DIR": tmp,
        "STATIC_ROOT": str(Path(tmp) / "static"),
        "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
    })
    env.update(overrides)
    return env


# requirements.txt has no `brotli`, so production collectstatic writes gzip copies only.
# Some dev tools pull brotli into the venv, and WhiteNoise then spends minutes on .br
# copies of the API docs bundles; the subprocess hides it to run as production does.
_AS_PRODUCTION = (
    "import sys; sys.modules['brotli'] = None; "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', *sys.argv[1:]])"
)


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _AS_PRODUCTION, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )


class DeployCheckTests(SimpleTestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cms-deploy-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def test_the_production_settings_pass_the_deploy_check(self):
        """`check --deploy --fail-level WARNING` is clean with the documented environment."""
        env = production_env(self.tmp)
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)

    def test_the_deploy_check_bites_without_https(self):
        """Control: the same check fails when HTTPS is off (so the clean run means something)."""
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING", env=production_env(self.tmp, HTTPS="0")
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W008", result.stderr)

    def test_the_oidc_signing_key_comes_from_the_environment_or_the_var_dir(self):
        """OIDC_RSA_PRIVATE_KEY_FILE is used as given; without it a key is generated once
        into CMS_VAR_DIR, private to its owner, and reused by the next process."""
        show = ("shell", "--no-imports", "-c", "from django.conf import settings; "
                "print(settings.OAUTH2_PROVIDER['OIDC_RSA_PRIVATE_KEY'], end='')")
        first = manage(*show, env=production_env(self.tmp))
        self.assertEqual(first.returncode, 0, first.stderr)
        stored = Path(self.tmp) / "oidc_rsa_key.pem"
        self.assertEqual(first.stdout, stored.read_text())
        self.assertIn("BEGIN PRIVATE KEY", first.stdout)
        self.assertEqual(stored.stat().st_mode & 0o777, 0o600)
        self.assertEqual(manage(*show, env=production_env(self.tmp)).stdout, first.stdout)

        given = Path(self.tmp) / "given.pem"
        given.write_text("-----BEGIN PRIVATE KEY-----\nfrom the secret store\n")
        from_file = manage(*show, env=production_env(
            self.tmp, OIDC_RSA_PRIVATE_KEY_FILE=str(given)))
        self.assertEqual(from_file.stdout, "-----BEGIN PRIVATE KEY-----\nfrom the secret store")


class StaticFilesTests(SimpleTestCase):
    """collectstatic into a scratch STATIC_ROOT, then gunicorn serves it with WhiteNoise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="cms-static-")
        cls.env = production_env(cls.tmp, BEHIND_PROXY="1")
        cls.collect = manage("collectstatic", "--noinput", env=cls.env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def static_root(self) -> Path:
        return Path(self.env["STATIC_ROOT"])

    def test_collectstatic_writes_a_manifest_with_compressed_copies(self):
        """Hashed names in staticfiles.json, gzip copies, all under STATIC_ROOT from the env."""
        self.assertEqual(self.collect.returncode, 0, self.collect.stderr)
        manifest = json.loads((self.static_root() / "staticfiles.json").read_text())
        hashed = manifest["paths"]["admin/css/base.css"]
        self.assertNotEqual(hashed, "admin/css/base.css")
        self.assertTrue((self.static_root() / hashed).is_file())
        self.assertTrue((self.static_root() / f"{hashed}.gz").is_file())

    def test_gunicorn_serves_health_and_hashed_static_files(self):
        """The documented gunicorn command answers /healthz and serves static files for a year."""
        self.assertEqual(self.collect.returncode, 0, self.collect.stderr)
        hashed = json.loads((self.static_root() / "staticfiles.json").read_text())["paths"][
            "admin/css/base.css"
        ]
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "clinic.wsgi:application", "-w", "2",
             "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.addCleanup(_stop, server)
        health = _get_when_up(port, "/healthz", server)
        self.assertEqual((health.status, json.loads(health.body)), (200, {"status": "ok"}))

        static = _get(port, f"/static/{hashed}", headers={"X-Forwarded-Proto": "https"})
        self.assertEqual(static.status, 200)
        self.assertIn("immutable", static.headers["Cache-Control"])
        self.assertIn(b"body", static.body)
        # Anything else over plain HTTP is sent to HTTPS.
        self.assertEqual(_get(port, "/admin/login/").status, 301)


class _Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers=None) -> _Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return _Response(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def _get_when_up(port: int, path: str, server, timeout: float = 20) -> _Response:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.stdout.read()}")
        try:
            return _get(port, path)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.stdout.close()
