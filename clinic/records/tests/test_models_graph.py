"""docs/models.py draws the models picture from the code (django-extensions + Graphviz)."""

import importlib.util
import shutil
import tempfile
import unittest
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

SCRIPT = Path(settings.BASE_DIR) / "docs" / "models.py"


@unittest.skipIf(shutil.which("dot") is None, "needs Graphviz's dot (apt-get install graphviz)")
class ModelsGraphTests(SimpleTestCase):
    def test_it_draws_the_clinical_records_without_their_history_tables(self):
        spec = importlib.util.spec_from_file_location("docs_models", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        with tempfile.TemporaryDirectory() as tmp:
            dot, svg = Path(tmp) / "m.dot", Path(tmp) / "m.svg"
            labels = script.main(dot, svg)
            text = dot.read_text()
            self.assertIn("records", labels)
            for model in ("Consultation", "PrescriptionLine", "LabReport", "Appointment"):
                self.assertIn(model, text)
            self.assertNotIn("HistoricalLabReport", text)
            self.assertNotIn("// Created:", text)
            self.assertTrue(svg.read_text().lstrip().startswith("<?xml"))
