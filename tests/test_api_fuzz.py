"""Schema-driven fuzzing: the served OpenAPI schema is true.

Schemathesis generates requests for every operation from /cms-api/schema/ and
sends them through the WSGI app with a patient's token. No answer may be a 5xx,
and every answer must match the schema (status code, content type, body).
"""

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.accounts.services import token_for
from clinic.testing import make_doctor, make_patient
from clinic.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def patient(transactional_db):
    # The raw WSGI app closes the connection after each request, as in production,
    # which a test wrapped in one transaction would not survive.
    cache.clear()
    make_doctor(name="Dr. Fuzz")
    return make_patient(first_name="Fuzz", username="fuzz")


def test_the_api_matches_its_schema(patient):
    """Every operation, 15 generated requests each: no 5xx, every answer as documented."""
    served = schemathesis.openapi.from_wsgi("/cms-api/schema/?format=json", application)
    operations = [result.ok() for result in served.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            # A fresh token per case: the fuzzer may well call logout/ on the last one.
            headers = {"Authorization": f"Token {token_for(user=patient.user)}"}
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
