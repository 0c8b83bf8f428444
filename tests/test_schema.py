"""The OpenAPI schema is generated from the code, valid, and no endpoint gives a 500.

Schemathesis fuzzes every operation of our own `/api/schema/`; the run grows with each
endpoint that later features add.
"""

from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application


def test_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


# The schema view needs no database, so the schema is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def wsgi_keeps_test_connection(db):
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the app from
    closing the test's database connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# derandomize: the same examples on every run, so that CI is reproducible
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30, derandomize=True
)
def test_no_endpoint_gives_a_server_error(case, api_key, wsgi_keeps_test_connection):
    _key, raw = api_key
    case.call_and_validate(headers={"Authorization": f"Api-Key {raw}"}, checks=[not_a_server_error])
