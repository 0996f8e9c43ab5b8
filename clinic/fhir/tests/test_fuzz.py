"""Random requests under /fhir/ (methods, paths, parameters, bodies, media types):
never a server error, always FHIR JSON."""

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from clinic.fhir.registry import resource_types
from clinic.testing import api_client, make_doctor, make_patient

TYPES = sorted(resource_types()) + ["Nope", "patient", "Observation"]
PARAMS = sorted({name for r in resource_types().values() for name in r.params}) + [
    "_count", "_offset", "_format", "_sort", "_include", "name:exact", "date:missing", "x",
]
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
ids = st.one_of(
    st.integers(-5, 10**20).map(str),
    st.from_regex(r"[A-Za-z0-9\-.]{1,70}", fullmatch=True),
    st.just("1-20300108-1000"),
)
values = st.one_of(
    text,
    st.sampled_from(["ge2030-01-08", "lt2030", "eq2030-01-08T10:00", "free", "busy", "Patient/1",
                     "Schedule/1", "CMS-000001", "1", "-1", "ap2020", "9999-12-31", "0000-00-00"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=10,
)
bodies = st.one_of(
    st.just(""),
    text,
    json_values.map(json.dumps),
    st.fixed_dictionaries({"resourceType": st.sampled_from(["Appointment", "Patient"]),
                           "status": st.sampled_from(["booked", "cancelled", "x"]),
                           "slot": json_values, "participant": json_values}).map(json.dumps),
    st.lists(st.fixed_dictionaries({"op": st.sampled_from(["replace", "add", "test", "x"]),
                                    "path": st.sampled_from(["/status", "/", "", "/x/0"]),
                                    "value": json_values}), max_size=3).map(json.dumps),
)
paths = st.one_of(
    st.builds(lambda t: f"/fhir/{t}", st.sampled_from(TYPES)),
    st.builds(lambda t, i: f"/fhir/{t}/{i}", st.sampled_from(TYPES), ids),
    st.builds(lambda t: f"/fhir/{t}/_search", st.sampled_from(TYPES)),
    st.builds(lambda t, i, o: f"/fhir/{t}/{i}/${o}", st.sampled_from(TYPES), ids,
              st.sampled_from(["everything", "x"])),
    st.just("/fhir/metadata"),
    text.map(lambda t: f"/fhir/{t}"),
)
MEDIA = ["application/fhir+json", "application/json", "application/json-patch+json",
         "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""]


class FhirFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.patient = make_patient(username="fuzz")
        cls.doctor = make_doctor()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
        path=paths,
        query=st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=4),
        body=bodies,
        media=st.sampled_from(MEDIA),
        accept=st.sampled_from(
            ["", "application/fhir+json", "*/*", "application/xml", "text/html"]
        ),
        signed_in=st.booleans(),
    )
    def test_no_server_error(self, method, path, query, body, media, accept, signed_in):
        client = api_client(self.patient.user if signed_in else None)
        url = f"{path}?{urlencode(query)}" if query else path
        response = client.generic(method, url, data=body, content_type=media, HTTP_ACCEPT=accept)
        self.assertLess(response.status_code, 500, f"{method} {url}: {response.content[:300]}")
        if method != "HEAD":
            self.assertTrue(response["Content-Type"].startswith("application/fhir+json"),
                            f"{method} {url}: {response['Content-Type']}")
            json.loads(response.content)
