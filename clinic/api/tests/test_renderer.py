"""The orjson renderer writes exactly DRF's JSONRenderer's bytes, whatever the data."""

import datetime as dt
import decimal
import random
import uuid
import zoneinfo

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from clinic.api.renderers import OrjsonRenderer
from clinic.api.tests.base import ApiTestCase

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
TEXT = "".join(chr(i) for i in range(0x80)) + "\u2028\u2029 é ü 漢字 😀 \ufeff \ud7ff"

SAMPLES = {
    "empty": [[], {}, "", 0],
    "scalars": [True, False, None, 0, -1, 2**63 - 1, -(2**63), "plain"],
    "text": [TEXT, {TEXT: TEXT}],
    "big int": [2**64, {"n": -(2**70)}],
    "non-string keys": [{1: "a", 2.5: "b", False: "c", None: "d"}],
    "dates and times": [
        dt.date(2030, 1, 8),
        dt.time(9, 30),
        dt.time(9, 30, 15, 123456),
        dt.datetime(2030, 1, 7, 8, 0),
        dt.datetime(2030, 1, 7, 8, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 7, 8, 0, 5, tzinfo=KOLKATA),
        dt.timedelta(days=1, seconds=5),
    ],
    "other types": [
        decimal.Decimal("12.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        gettext_lazy("Invalid token."),
        ErrorDetail("This field is required.", code="required"),
        ReturnDict({"a": ReturnList([1, 2], serializer=None)}, serializer=None),
        (1, 2, 3),
    ],
    "floats": [0.0, -0.0, 0.1, 1.5, 1 / 3, 1e-4, 1e-5, 2.5e-7, 1e15, 1e16, 1.5e300, 5e-324],
    "looks like a float": ["1e5", "0.00001", {"x": "2e-7"}],
}


class RendererTests(ApiTestCase):
    def assertSameBytes(self, data, **context):
        expected = JSONRenderer().render(data, **context)
        self.assertEqual(OrjsonRenderer().render(data, **context), expected)

    def test_it_writes_drfs_bytes_for_every_kind_of_value(self):
        for name, values in SAMPLES.items():
            for value in values:
                with self.subTest(name=name, value=value):
                    self.assertSameBytes(value)
                    self.assertSameBytes({"nested": [value, {"deeper": value}]})

    def test_random_floats_and_nested_rows(self):
        rng = random.Random(16)
        for _ in range(2000):
            value = rng.random() * 10 ** rng.randint(-12, 20) * rng.choice((1, -1))
            self.assertSameBytes([value, {"v": value}])
        rows = [
            {"id": i, "name": f"Row {i} – ü", "ok": i % 2 == 0, "day": dt.date(2030, 1, 1 + i % 28),
             "items": [{"k": "v" * i}] * (i % 3), "none": None}
            for i in range(200)
        ]
        self.assertSameBytes(rows)

    def test_indented_output_and_none(self):
        self.assertSameBytes({"a": [1, 2]}, accepted_media_type="application/json; indent=4")
        self.assertSameBytes(None)

    def test_the_api_serves_through_it(self):
        response = self.call("GET", "/cms-api/doctor/", user=self.alice.user)
        self.assertIsInstance(response.accepted_renderer, OrjsonRenderer)
        self.assertEqual(response.content, JSONRenderer().render(response.data))
