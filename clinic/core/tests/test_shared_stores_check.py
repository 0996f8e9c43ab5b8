"""`check --deploy` fails when several processes or servers would not share their stores."""

import shutil
import tempfile

from django.test import SimpleTestCase, override_settings

from clinic.core.checks import check_shared_stores
from clinic.core.tests.test_deploy_check import manage, production_env

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


class SharedStoresCheckTests(SimpleTestCase):
    def ids(self):
        return [error.id for error in check_shared_stores()]

    @override_settings(CACHES=LOCMEM, WEB_CONCURRENCY=4, APP_SERVERS=1)
    def test_a_per_process_cache_with_several_workers_fails(self):
        self.assertEqual(self.ids(), ["core.E001"])

    @override_settings(CACHES=LOCMEM, WEB_CONCURRENCY=1, APP_SERVERS=1)
    def test_a_single_process_may_keep_its_cache_to_itself(self):
        self.assertEqual(self.ids(), [])

    @override_settings(
        AXES_HANDLER="axes.handlers.cache.AxesCacheHandler",
        CACHES=LOCMEM,
        WEB_CONCURRENCY=2,
        APP_SERVERS=1,
    )
    def test_axes_counting_in_a_private_cache_fails(self):
        self.assertIn("core.E004", self.ids())


class SharedStoresDeployTests(SimpleTestCase):
    """The documented production environment, in a fresh process, as it runs."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cms-stores-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def test_two_servers_on_files_and_sqlite_fail_the_deploy_check(self):
        result = manage(
            "check", "--deploy", env=production_env(self.tmp, CMS_APP_SERVERS="2", REDIS_URL="")
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("core.E002", result.stderr)
        self.assertIn("core.E003", result.stderr)

    def test_two_servers_on_redis_and_postgresql_pass(self):
        env = production_env(
            self.tmp,
            CMS_APP_SERVERS="2",
            WEB_CONCURRENCY="4",
            REDIS_URL="redis://127.0.0.1:6379/13",
            DATABASE_URL="postgres://cms@127.0.0.1:5432/cms",
        )
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
