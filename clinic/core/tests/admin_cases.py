"""Shared helpers for the admin tests of every app (not a test module itself)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.testing import BaseTestCase, verified_login


def inline_management(prefix: str, *, total: int = 0, initial: int = 0) -> dict:
    """The management form of an inline formset, as the admin page posts it."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class AdminTestCase(BaseTestCase):
    """Logged in as the `staff` superuser; helpers for pages and query counts."""

    def setUp(self):
        super().setUp()
        verified_login(self.client, self.staff)

    def changelist(self, url: str, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, url)
        return response

    def listed(self, url: str, **params) -> list:
        """The objects a changelist shows for the given search/filter parameters."""
        return list(self.changelist(url, **params).context["cl"].result_list)

    def count_changelist_queries(self, url: str, *, expect_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response.context["cl"].result_count, expect_rows, url)
        return len(queries)

    def assertChangelistQueriesConstant(self, url: str, make_rows, *, n: int = 3) -> int:
        """Show n rows, then 4n rows: the changelist runs the same number of queries.

        `make_rows(k)` adds k rows to the listed table; the table's size before
        the first batch is read from the page. Returns the query count.
        """
        base = self.changelist(url).context["cl"].result_count
        make_rows(n)
        small = self.count_changelist_queries(url, expect_rows=base + n)
        make_rows(3 * n)
        large = self.count_changelist_queries(url, expect_rows=base + 4 * n)
        self.assertEqual(small, large, f"{url}: queries grow with rows ({small} -> {large})")
        return large
