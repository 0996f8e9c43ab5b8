import math

from bench.profile import CATEGORIES, profile_endpoints
from bench.tests.test_queries import _tiny_clinic
from clinic.testing import BaseTestCase


class BenchProfileTests(BaseTestCase):
    def test_it_splits_each_request_into_categories_that_add_up(self):
        """bench/profile.py charges every request's CPU time to one category or another:
        none negative, their sum the handler's total, within the uninstrumented in-process
        figure's order of size; history's rows come from a query and a serializer."""
        manifest = _tiny_clinic(doctors=2, appointments=60)
        results = profile_endpoints(manifest, ["doctors", "history"], n=3, warmup=1)
        self.assertEqual(set(results), {"doctors", "history"})
        for label, row in results.items():
            with self.subTest(label):
                for category in CATEGORIES:
                    self.assertGreaterEqual(row[category], 0.0)
                self.assertTrue(math.isclose(
                    sum(row[c] for c in CATEGORIES), row["total"], rel_tol=1e-9))
                self.assertGreater(row["total"], 0.0)
                self.assertGreater(row["in_process"], 0.0)
                self.assertGreater(row["rendering"], 0.0)
        self.assertGreater(results["history"]["queries"], 0.0)
        self.assertGreater(results["history"]["serialization"], 0.0)
        self.assertGreater(results["history"]["authentication"], 0.0)
