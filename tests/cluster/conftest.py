"""The production layout on this machine (deploy/cluster.py), shared by the cluster tests.

One cluster serves the whole module: starting it (a private PostgreSQL, migrate,
demo data) costs about a minute. A test that breaks a piece restores it before it
ends, so the next test starts from a whole cluster.
"""

import shutil

import pytest

from deploy.cluster import PG_BIN, Cluster


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    missing = [tool for tool in ("haproxy", "redis-server") if not shutil.which(tool)]
    if PG_BIN is None:
        missing.append("PostgreSQL's server binaries")
    if missing:
        pytest.skip(f"the local cluster needs {', '.join(missing)} (.ci/run installs them)")
    # Under /tmp itself: PostgreSQL runs as its own user and must reach its folder.
    cluster = Cluster(
        # Records each accepted message, and can hold one mid-send (test_worker_killed_...).
        smtp_handler="tests.cluster.smtp_sink.StallingInbox",
        # Retries of lost sends every few seconds, not every minute; and patience with a
        # request slowed down by a loaded machine (40 clients on 2 cores), so that only the
        # kill tests kill a worker.
        extra_env={"PERIODIC_RETRIES_SECONDS": "5", "GUNICORN_TIMEOUT": "120"},
    )
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        kept = tmp_path_factory.mktemp("cluster-logs")
        shutil.copytree(cluster.logs, kept, dirs_exist_ok=True)
        print(f"cluster logs: {kept}")
        cluster.remove()
