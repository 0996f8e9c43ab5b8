"""gunicorn settings for a CMS app server.

Used by deploy/systemd/cms-web@.service, deploy/compose.yaml and the local cluster
(`python3 dev.py cluster`). Every knob is an environment variable so that one file
serves each of them.
"""

import os

# Where this app server listens; the balancer (deploy/haproxy.cfg) connects here.
bind = os.environ.get("CMS_BIND", "127.0.0.1:8000")
# Sync workers: a request is CPU-bound Python plus a few short queries; 2 per core is
# what the benchmark (docs/benchmarks.md) ran with.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request that takes this long is stuck (a lost database, a hung storage call):
# the worker is restarted and the balancer's retry goes elsewhere.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never becomes an outage.
max_requests = 5000
max_requests_jitter = 500
# The balancer is the only client; trust its X-Forwarded-* headers only from it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No access log here: URLs carry signed download links, and the balancer logs requests.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = os.environ.get("CMS_NAME", "cms-web")
