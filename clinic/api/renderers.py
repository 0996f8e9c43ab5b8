"""The API's JSON renderer: orjson, byte for byte what DRF's JSONRenderer writes.

DRF's renderer runs the standard library's encoder; orjson does the same work in
a fraction of the time. Where the two could differ, this one hands over to DRF's:
- types orjson does not write the same way (dates and times, Decimal, lazy
  strings) go through DRF's encoder, as in DRF;
- what orjson refuses (integers beyond 64 bits, non-string keys) and any float
  that Python writes in exponent form ("1e-05", "1e+16"; orjson writes "0.00001",
  "1e16") are rendered by DRF's renderer itself. The check is a byte search of the
  output; a string that merely looks like such a number ("e-mail") costs only speed;
- indented output (`Accept: application/json; indent=4`) is DRF's.
DRF writes U+2028 and U+2029 escaped, so this does too. One difference remains: a NaN
or infinite float, which DRF refuses (STRICT_JSON), is written as null; no shape
of the API holds a float.
"""

import re

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# orjson writes exponents as "e16" or "e-7" (never "e+"); a float below 1e-4 may also be
# written out in full. One regex pass and one substring search: a digit class before
# the "e" made the scan slower than orjson's whole encoding.
_EXPONENT = re.compile(rb"e[-0-9]")
_SMALL_FLOAT = b"0.0000"
_LINE_SEPARATORS = b"\xe2\x80"  # U+2028 and U+2029 start so (as do other characters)
_default = JSONEncoder().default


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: too big an int, a non-string key, ...
            return super().render(data, accepted_media_type, renderer_context)
        if _EXPONENT.search(rendered) or _SMALL_FLOAT in rendered:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATORS in rendered:
            rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028")
            rendered = rendered.replace(b"\xe2\x80\xa9", b"\\u2029")
        return rendered
