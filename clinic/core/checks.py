"""Deployment checks (`manage.py check --deploy`): every process must share the stores
that limits and caches count in.

Login and OTP limits count in the database or Redis (clinic.core.throttle,
django-axes), and the doctor directory is cached in the default cache. A cache
that lives in one process (local memory) or on one machine (files) splits those
counts and leaves stale copies behind as soon as there is more than one process
or machine; SQLite is a file on one machine.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

_PER_PROCESS = ("LocMemCache", "DummyCache")
_PER_MACHINE = ("FileBasedCache",)


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_stores(app_configs=None, **kwargs) -> list[Error]:
    processes = getattr(settings, "WEB_CONCURRENCY", 1)
    servers = getattr(settings, "APP_SERVERS", 1)
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    engine = settings.DATABASES["default"]["ENGINE"]
    errors = []
    if processes * servers > 1 and cache in _PER_PROCESS:
        errors.append(
            Error(
                f"The default cache ({cache}) lives in one process, but "
                f"{processes * servers} processes serve the site.",
                hint="Set REDIS_URL (or use the default file cache on a single machine).",
                id="core.E001",
            )
        )
    if servers > 1 and cache in _PER_MACHINE + _PER_PROCESS:
        errors.append(
            Error(
                f"The default cache ({cache}) is not shared by the {servers} app servers.",
                hint="Set REDIS_URL so that every server sees the same cache and limits.",
                id="core.E002",
            )
        )
    if servers > 1 and engine.endswith("sqlite3"):
        errors.append(
            Error(
                f"SQLite is a file on one machine; {servers} app servers cannot share it "
                "(bookings, login and OTP limits).",
                hint="Set DATABASE_URL to PostgreSQL.",
                id="core.E003",
            )
        )
    if getattr(settings, "AXES_HANDLER", "").endswith("AxesCacheHandler") and (
        cache in _PER_PROCESS or (servers > 1 and cache in _PER_MACHINE)
    ):
        errors.append(
            Error(
                "django-axes counts login failures in a cache that is not shared.",
                hint="Use axes.handlers.database.AxesDatabaseHandler.",
                id="core.E004",
            )
        )
    return errors
