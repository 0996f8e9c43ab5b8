"""The operator's files in deploy/ agree with the code they run."""

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

from deploy.periodic import JOBS

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path)
    return parser


def timer_commands() -> dict[str, str]:
    """timer name -> the manage.py command its cms-job@ unit runs."""
    found = {}
    for timer in DEPLOY.glob("systemd/*.timer"):
        target = unit(timer)["Timer"]["Unit"]
        found[timer.stem] = re.fullmatch(r"cms-job@(\w+)\.service", target).group(1)
    return found


def test_every_periodic_job_is_a_command_and_has_a_timer():
    """The timers (systemd) and deploy/periodic.py (Compose, the local cluster) run the
    same jobs, and each is a real manage.py command."""
    commands = get_commands()
    by_timer = set(timer_commands().values())
    by_loop = {argv[0] for _, argv, _ in JOBS}
    assert by_timer == by_loop
    for command in by_timer:
        assert command in commands, command


def test_the_services_run_what_exists():
    web = unit(DEPLOY / "systemd" / "cms-web@.service")["Service"]
    assert "deploy/gunicorn.conf.py" in web["ExecStart"]
    worker = unit(DEPLOY / "systemd" / "cms-worker@.service")["Service"]
    assert "manage.py db_worker" in worker["ExecStart"]
    assert worker["Restart"] == "always"
    assert (DEPLOY / "gunicorn.conf.py").exists()


def test_compose_has_every_piece():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "s3", "app1", "app2", "worker", "periodic", "balancer"} <= set(services)
    assert services["worker"]["command"][-1] == "db_worker"
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["periodic"]["command"] == ["python", "-m", "deploy.periodic"]


@pytest.mark.skipif(not shutil.which("haproxy"), reason="needs Debian's haproxy")
def test_the_balancer_config_is_valid(tmp_path):
    env = {
        **os.environ,
        "CMS_LB_BIND": "127.0.0.1:18080",
        "CMS_LB_SOCKET": str(tmp_path / "haproxy.sock"),
        "CMS_HOST": "127.0.0.1",
        "CMS_APP1": "127.0.0.11:8000",
        "CMS_APP2": "127.0.0.12:8000",
    }
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
