"""A strict Content-Security-Policy on every page; no inline script in any of our templates."""

import re
from pathlib import Path

from django.conf import settings

from clinic.testing import BaseTestCase, verified_login

TEMPLATE_ROOTS = [Path(settings.BASE_DIR) / "clinic"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def _page_templates():
    for root in TEMPLATE_ROOTS:
        for path in root.rglob("templates/**/*.html"):
            # E-mail bodies are not pages: mail clients need inline styles.
            if "notifications" not in path.parts:
                yield path


class PolicyHeaderTests(BaseTestCase):
    def policy(self, path: str) -> str:
        response = self.client.get(path)
        self.assertIn(response.status_code, (200, 302), path)
        return response["Content-Security-Policy"]

    def test_every_kind_of_page_has_the_strict_policy(self):
        """Portal, admin, API docs and error pages: scripts and styles only from our origin."""
        verified_login(self.client, self.staff)
        for path in ("/", "/doctors/", "/login/", "/admin/", "/cms-api/docs/", "/healthz"):
            with self.subTest(path=path):
                policy = self.policy(path)
                self.assertIn("default-src 'self'", policy)
                self.assertIn("script-src 'self'", policy)
                self.assertIn("style-src 'self'", policy)
                self.assertIn("object-src 'none'", policy)
                self.assertIn("frame-ancestors 'none'", policy)
                self.assertNotIn("unsafe-inline", policy)
                self.assertNotIn("unsafe-eval", policy)
        self.assertIn(
            "script-src 'self'", self.client.get("/no-such-page/")["Content-Security-Policy"]
        )

    def test_file_responses_keep_their_own_stricter_policy(self):
        """The global policy never replaces a file view's sandbox."""
        from django.core.files.base import ContentFile

        from clinic.core.tests.files_helpers import image_bytes
        from clinic.doctors.pictures import doctor_picture_url

        self.dr_rao.profile_pic.save("rao.png", ContentFile(image_bytes("PNG")), save=True)
        self.addCleanup(self.dr_rao.profile_pic.delete, save=False)
        policy = self.client.get(doctor_picture_url(self.dr_rao))["Content-Security-Policy"]
        self.assertTrue(policy.startswith("sandbox"), policy)


class NoInlineScriptTests(BaseTestCase):
    def test_no_template_has_inline_script_handlers_or_styles(self):
        """Every <script> has a src, no element has an on…= handler or a style attribute."""
        found = []
        for path in _page_templates():
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE):
                found += [f"{path}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
        self.assertEqual(found, [])
