"""schemathesis 4 over the whole OpenAPI document, every operation, all checks (issue 10, point 3).

The API is called in-process through Django's WSGI handler, on the demo data (a small scale: a few
customers, devices and orders in every state) with the bearer tokens of several roles. Every
built-in check runs — no 5xx, status codes, content types, headers and bodies as documented,
schema-valid requests accepted, schema-violating ones refused, authentication enforced — in the
examples, coverage and fuzzing phases.

One project rule is configured, not a check switched off: a ``400 validation_error`` is the answer
to a well-formed request that breaks a business rule the schema cannot say (an id that is not
visible to the caller, a date after a device's purchase, an action not open to the role), so a
schema-valid request may get it; and ``422 idempotency_key_reused`` when a generated
Idempotency-Key comes again with another body (``positive_data_acceptance`` lists 400 and 422).
A schema-valid request must still never get ``422 invalid_input`` ("does not match the schema")
nor ``400 malformed_body``: ``valid_data_is_not_called_invalid`` below checks that.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from core.models import ApiToken

pytestmark = [pytest.mark.schemathesis, pytest.mark.xdist_group("schemathesis")]

#: Examples per operation and phase; SCHEMATHESIS_MAX_EXAMPLES raises it for a longer local run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
DEMO_SCALE = 0.05

CONFIG: dict[str, Any] = {
    "seed": 2026,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "database": "none",
        "no-shrink": os.environ.get("SCHEMATHESIS_NO_SHRINK") == "1",
    },
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"],
        },
    },
}


#: What a schema-valid request may be refused with, by status: a business rule (400), an
#: Idempotency-Key already used with another body (422, as the IETF Idempotency-Key draft says).
BUSINESS_REFUSALS = {400: {"validation_error"}, 422: {"idempotency_key_reused"}}


def valid_data_is_not_called_invalid(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request may break a business rule, never the schema (``invalid_input``) nor
    the JSON syntax (``malformed_body``)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in BUSINESS_REFUSALS:
        return None
    try:
        code = response.json().get("code")
    except Exception:  # not JSON: response_schema_conformance reports it
        return None
    if code not in BUSINESS_REFUSALS[response.status_code]:
        raise AssertionError(f"A schema-valid request was refused as {response.status_code} {code!r}")
    return None


@pytest.fixture(scope="module")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo organisation and its data, loaded once for the module and rolled back after it."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", scale=DEMO_SCALE, stdout=open(os.devnull, "w"))  # noqa: SIM115
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def api_data(demo_data: None, db: Any) -> Iterator[None]:
    """The demo data, and Django's WSGI handler left from closing the test's connection at the end of
    each request (which would end the transaction the data lives in; Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Loaded at collection (schemathesis.pytest.from_fixture does not run on pytest 9): the document
# needs no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=SchemathesisConfig.from_dict(CONFIG)
)
if os.environ.get("SCHEMATHESIS_OPERATIONS"):  # a file of "METHOD /path" lines: re-run only those
    with open(os.environ["SCHEMATHESIS_OPERATIONS"]) as listed:
        schema = schema.include(name=[line.strip() for line in listed if line.strip()])


ROLES = ("admin", "agent", "technician")
_turn = itertools.count()


@pytest.fixture
def role_tokens(api_data: None) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=ROLES)
    assert {user.username for user in users} == set(ROLES)
    return {user.username: ApiToken.issue(user) for user in users}


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the data lives for the module
def test_api_answers_as_its_openapi_document_says(case: Any, role_tokens: dict[str, str]) -> None:
    """The generated requests of each operation take turns among the roles' tokens."""
    token = role_tokens[ROLES[next(_turn) % len(ROLES)]]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, additional_checks=[valid_data_is_not_called_invalid]
    )
    # DELETE /auth/token revokes the token it is sent with: the next example needs it again.
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(token)).update(is_active=True)
