"""schemathesis over /api/v1/openapi.json, in process against the WSGI app.

For every operation of the document, as an anonymous caller, a participant and an
organizer, schemathesis generates requests from the document's own schemas, valid ones and
(negative mode) ones that break them (request bodies come from the pydantic models the
routes check with), and three checks must hold:
no 5xx (``not_a_server_error``), every status is documented for the operation
(``status_code_conformance``), and every JSON answer matches its documented schema
(``response_schema_conformance``). Half of the generated ids are replaced by a real
episode's id, so the routes get past their 404 into the services.

Bounded for CI (``SCHEMATHESIS_EXAMPLES`` per operation and role, 12 by default: about a
minute on SQLite). Marked ``schemathesis`` so CI can select or skip it.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.schemathesis

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Run last: they end the caller's token (then everything is a documented 401).
LAST = ("DELETE /auth/tokens/{token_id}", "POST /auth/logout")


@pytest.fixture
def world(app, db, organizer, make_participant, make_episode, token_for):
    past = make_episode(starts_in=timedelta(hours=-3))
    future = make_episode()
    participant = make_participant()
    return {
        "episode_ids": [past.id, future.id],
        "headers": {
            "anonymous": {},
            "participant": token_for(participant),
            "organizer": token_for(organizer),
        },
    }


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.label in LAST)


@pytest.mark.parametrize("role", ["anonymous", "participant", "organizer"])
def test_api_matches_its_openapi_document(app, world, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The in-process client does not undo Brotli/gzip, which the app negotiates like any
    # server; ask for the plain body so the checks read the JSON itself.
    headers = {**world["headers"][role], "Accept-Encoding": "identity"}
    failures: list[str] = []
    operations = _operations(schema)
    assert len(operations) >= 30, [op.label for op in operations]

    def runner(operation, mode):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        def run(case, data):
            if case.path_parameters and "id" in case.path_parameters and data.draw(
                    st.booleans()):
                case.path_parameters["id"] = data.draw(st.sampled_from(world["episode_ids"]))
            case.call_and_validate(headers=headers, checks=CHECKS)

        return run

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                runner(operation, mode)()
            except Unsatisfiable:
                # Nothing to break (e.g. only a free-text path segment): no negative case.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except Exception as err:  # collect every operation's finding, then fail once
                failures.append(f"{operation.label} as {role} ({mode}): {err}"[:3000])
    assert not failures, "\n\n".join(failures)
