"""Property-based tests of the API against its own OpenAPI schema (schemathesis): over a
thousand generated requests, no server error and no response outside the schema (issue 13)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from khooshe.services.users import new_token
from khooshe.store.workspace import Workspace

#: Examples per operation: 81 operations × 14 ≥ 1,100 requests.
EXAMPLES = 14
COUNTED: list[int] = []


@pytest.fixture(scope="module")
def schema_and_token(site):
    root, app = site
    with Workspace.open(root) as ws:
        token = new_token(ws, "admin", actor="test")
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app), token


def _run(operations, token, mode, examples) -> int:
    count = 0
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=mode)

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            nonlocal count
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            count += 1
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance,
                                                     status_code_conformance])

        try:
            run()
        except Unsatisfiable:  # an operation without anything to make invalid
            continue
    return count


def test_invalid_requests(schema_and_token):
    """Requests the schema forbids (wrong types, missing fields, other bodies): answered
    with a documented status and body, never a server error."""
    schema, token = schema_and_token
    operations = [op.ok() for op in schema.get_all_operations()]
    count = _run(operations, token, GenerationMode.NEGATIVE, 5)
    print(f"schemathesis: {count:,} invalid requests")
    assert count >= 200


def test_generated_requests(schema_and_token):
    schema, token = schema_and_token
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 80
    count = _run(operations, token, GenerationMode.POSITIVE, EXAMPLES)
    COUNTED.append(count)
    print(f"schemathesis: {count:,} generated requests over {len(operations)} operations")
    assert count >= 1000
