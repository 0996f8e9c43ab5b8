import pytest
from django.conf import settings as django_settings
from django.test.signals import setting_changed

from clinic.testing import fast_password_hashers


@pytest.fixture(autouse=True, scope="session")
def _test_settings(tmp_path_factory):
    """Settings for the whole run, in place before any TestCase.setUpTestData."""
    # The real hasher costs ~0.3 s a call; tests need the behaviour, not the cost.
    django_settings.PASSWORD_HASHERS = fast_password_hashers()
    # Files written by tests land in a throwaway folder, never in var/media.
    media = tmp_path_factory.mktemp("media")
    django_settings.MEDIA_ROOT = media
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": None},
        },
    }
    # One memory cache per test process, never the files of var/cache that a running
    # server (or another test run) uses.
    django_settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    for name in ("PASSWORD_HASHERS", "MEDIA_ROOT", "STORAGES", "CACHES"):
        setting_changed.send(
            sender=None, setting=name, value=getattr(django_settings, name), enter=True
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows must not leave cached
    doctors or throttle counts behind for the next test."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(config, items):
    from clinic.testing import using_postgres

    if using_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
