import pytest

from clinic.testing import fast_password_hashers


@pytest.fixture(autouse=True)
def _fast_hashers(settings, tmp_path):
    # The real hasher costs ~0.3 s a call; tests need the behaviour, not the cost.
    settings.PASSWORD_HASHERS = fast_password_hashers()
    # Every test writes its files into its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }


def pytest_collection_modifyitems(config, items):
    from clinic.testing import using_postgres

    if using_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
