"""Notifications is a lower layer: the apps above register with it, it never imports them."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

from clinic.notifications import registry

APP = Path(__file__).resolve().parent.parent
# What notifications may build on; everything else in clinic/ sits above it.
BELOW = ("clinic.core", "clinic.notifications")


def clinic_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.startswith("clinic.")}


class LayerTests(SimpleTestCase):
    def test_notifications_imports_no_app_above_it(self):
        """No module of clinic/notifications (tests aside) imports appointments, labs, otp, ..."""
        upward = {
            f"{path.relative_to(APP)}: {name}"
            for path in APP.rglob("*.py")
            if "tests" not in path.parts
            for name in clinic_imports(path)
            if not name.startswith(BELOW)
        }
        self.assertEqual(upward, set())

    def test_the_apps_registered_their_messages_and_events(self):
        """The apps above filled the registry from their AppConfig.ready()."""
        self.assertLessEqual(
            {
                "appointment_booked",
                "appointment_cancelled",
                "appointment_reminder",
                "lab_report_ready",
                "otp_code",
            },
            registry.message_templates(),
        )
        self.assertLessEqual(
            {"appointment_booked", "appointment_cancelled", "lab_report_ready"},
            registry.event_names(),
        )
