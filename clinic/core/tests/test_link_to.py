"""Signed download links: the URL around the token is reversed once per request."""

from unittest import mock

from django.core import signing
from django.test import RequestFactory, SimpleTestCase
from django.urls import reverse

from clinic.core import downloads
from clinic.core.downloads import link_to


class LinkToTests(SimpleTestCase):
    def test_it_is_what_reverse_and_build_absolute_uri_give(self):
        request = RequestFactory().get("/cms-api/consultations/")
        for payload in ({"n": "a/b.pdf", "u": 1}, {"c": 2**40, "u": 7}, {"x": "ü" * 40}):
            token = signing.dumps(payload, salt="s", compress=True)
            for view in ("files:download", "records:prescription"):
                with self.subTest(payload=payload, view=view):
                    expected = request.build_absolute_uri(reverse(view, kwargs={"token": token}))
                    self.assertEqual(link_to(view, token, request=request), expected)
                    self.assertEqual(
                        link_to(view, token), reverse(view, kwargs={"token": token})
                    )

    def test_reverse_runs_once_per_request_and_view(self):
        request = RequestFactory().get("/")
        with mock.patch.object(downloads, "reverse", wraps=reverse) as spy:
            for n in range(5):
                link_to("files:download", f"t{n}", request=request)
            self.assertEqual(spy.call_count, 1)
            link_to("files:download", "t", request=RequestFactory().get("/"))
            self.assertEqual(spy.call_count, 2)
