"""The OpenAPI schema is exact: what it allows, the API takes; what it refuses, the API refuses;
every answer is one it documents; and no input gives a server error.

Schemathesis runs every phase (the schema's examples, coverage of each constraint's edges,
fuzzing, and stateful sequences that follow the schema's links), positive and negative data, and
every check, against our own `/api/schema/`, once with a department's key and once with an
intake key (no department). New endpoints are covered without a line here.

Four things a schema cannot say are supplied to the positive cases (and only to them) by
:func:`respect_what_the_schema_cannot_say`: a reference names a row that exists (a department
or city code, an incident or complaint id), a field that one value of another requires
(``hq_level`` with source ``hq``), a time stands where its description puts it against now and
the record's other times, and a dashboard period is ordered and at most 366 days long (as each
field's or parameter's description states). NUL characters and lone surrogates are
left to the bad-input catalogue (tests/test_bad_input.py): every text field refuses them.
"""

import re
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from collaboration.api.attachments import RECORD_PATTERN
from config.wsgi import application
from dashboards.forms import MAX_DAYS
from incidents.choices import BusinessLine
from incidents.models import BusinessLineOwner
from organisation.models import City
from tests import factories


def test_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


def test_a_required_text_is_refused_blank_exactly_as_the_schema_says():
    """The pattern a required text carries takes a value exactly when DRF keeps something of
    it (it strips what Python counts as whitespace): over the whole Basic Multilingual Plane."""
    import re

    from core.api.schema import NOT_BLANK

    pattern = re.compile(NOT_BLANK)
    differ = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF
        and bool(pattern.search(chr(code))) != bool(chr(code).strip())
    ]
    assert differ == []
    fields = schema.raw_schema["components"]["schemas"]["ComplaintCreateRequest"]["properties"]
    assert fields["customer_name"]["pattern"] == NOT_BLANK


def test_an_upload_says_its_file_may_not_be_empty():
    """Django takes an empty upload for none, and DRF refuses it: the schema says so, and so
    the generated uploads (tests below) carry a byte at least."""
    components = schema.raw_schema["components"]["schemas"]
    uploads = {
        name: field
        for name, component in components.items()
        for field in component.get("properties", {}).values()
        if field.get("format") == "binary"
    }
    assert set(uploads) == {"AttachmentUploadRequest", "BroadcastUploadRequest"}
    assert all(field["minLength"] == 1 for field in uploads.values())


CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all", "allow-x00": False, "codec": "utf-8"},
        "phases": {
            name: {"enabled": True} for name in ("examples", "coverage", "fuzzing", "stateful")
        },
    }
)
# The schema view needs no database, so the schema is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@pytest.fixture
def wsgi_keeps_test_connection(db):
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the app from
    closing the test's database connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# What the positive cases refer to, made through the API by the department's key.
EXISTING: dict = {}


@pytest.fixture(params=["department", "intake"])
def raw_key(request, db, department):
    """A department's key (with a live incident and a complaint of its own), or an intake key."""
    _row, department_key = factories.make_api_key(department=department)
    # the configuration an incident without an owner falls back on (as shipped: each line's lead)
    for line in BusinessLine.values:
        BusinessLineOwner.objects.get_or_create(
            business_line=line, defaults={"department": department}
        )
    city = City.objects.order_by("code").first() or factories.CityFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {department_key}")
    incident = client.post(
        "/api/v1/incidents/",
        {
            "title": "长春地区4G数据业务中断",
            "business_line": "network",
            "source": "business_risk",
            "occurred_at": "2026-11-30T08:00:00+08:00",
            "owning_department": department.code,
            "cities": [city.code],
        },
        format="json",
    )
    complaint = client.post(
        "/api/v1/complaints/",
        {
            "customer_name": "张三",
            "customer_phone": "13800000000",
            "customer_account": "A1",
            "city": city.code,
            "address": "长春",
            "business_line": "network",
            "description": "无法上网",
        },
        format="json",
    )
    assert incident.status_code == 201, incident.content
    assert complaint.status_code == 201, complaint.content
    EXISTING.update(
        department=department.code,
        city=city.code,
        incident=incident.json()["id"],
        complaint=complaint.json()["id"],
        # a person of the department the rewritten bodies dispatch to (a handler must be one)
        person=factories.UserFactory(department=department).username,
    )
    if request.param == "department":
        return department_key
    # an intake key sees no incident, so it links a complaint to none
    EXISTING["incident"] = None
    return factories.make_api_key(department=None)[1]


def _cross_field_rules(body: dict) -> dict:
    """The rules between fields that the schema states in their descriptions."""
    if "source" in body:  # an incident: hq_level with source `hq` only
        body["hq_level"] = "level1" if body["source"] == "hq" else ""
    if body.get("channel") == "employee_referral" and not body.get("referred_by"):
        body["referred_by"] = EXISTING["person"]
    if "ids" in body and "action" in body:  # a bulk action: the fields its action needs
        body["department"] = EXISTING["department"]
        body["handler"] = EXISTING["person"]
    return body


def _times_as_described(body: dict) -> dict:
    """Times the descriptions place against now: what happened is not in the future, detection
    not before occurrence, a due date ahead; a restoration or resolution (after its record's
    own start, which the walk does not know) is now."""
    now = timezone.now()

    def moment(name: str) -> datetime | None:
        try:
            value = datetime.fromisoformat(body[name])
        except (KeyError, TypeError, ValueError):
            return None
        return value if value.tzinfo else None  # a time without offset is not one the API takes

    for name in ("occurred_at", "detected_at", "reported_at"):
        if (value := moment(name)) and value > now:
            body[name] = (now - timedelta(hours=1)).isoformat()
    occurred, detected = moment("occurred_at"), moment("detected_at")
    if occurred and detected and detected < occurred:
        body["detected_at"] = body["occurred_at"]
    for name in ("restored_at", "resolved_at"):
        if moment(name):
            body[name] = now.isoformat()
    if (due := moment("due_at")) and due <= now:
        body["due_at"] = (now + timedelta(days=1)).isoformat()
    return body


def _existing_references(body: dict) -> dict:
    references = {
        "owning_department": EXISTING["department"],
        "referred_by": EXISTING["person"],
        "department": EXISTING["department"],
        "city": EXISTING["city"],
        "cities": [EXISTING["city"]],
        "incident": EXISTING["incident"],
        "complaints": [EXISTING["complaint"]],
        "handler": EXISTING["person"],
        "assignee": EXISTING["person"],  # who works on a record: a person of its department
        "record": f"complaint:{EXISTING['complaint']}",  # a comment's
    }
    return {
        key: references[key]
        if key in references and value not in (None, "") and _names_a_record(key, value)
        else _nested_references(value)
        for key, value in body.items()
    }


def _names_a_record(key: str, value) -> bool:
    """A `record` is replaced only when it is one as the schema says (``<kind>:<id>``, at most
    50 characters): the coverage phase's cases just beyond its bounds must stay invalid."""
    if key != "record":
        return True
    return isinstance(value, str) and len(value) <= 50 and bool(re.fullmatch(RECORD_PATTERN, value))


def _nested_references(value):
    """The references inside a list of objects (an escalation's assignments name their
    departments)."""
    if isinstance(value, list):
        return [_existing_references(item) if isinstance(item, dict) else item for item in value]
    return value


def _a_period(query: dict) -> dict:
    """`since` ≤ `until`, at most MAX_DAYS days apart."""
    try:
        since, until = (
            date.fromisoformat(query[name]) if query.get(name) else None
            for name in ("since", "until")
        )
    except (TypeError, ValueError):
        return query
    if since is None:
        return query
    until = until or timezone.localdate()
    since, until = min(since, until), max(since, until)
    since = max(since, until - timedelta(days=MAX_DAYS - 1))
    return {**query, "since": since.isoformat(), "until": until.isoformat()}


def respect_what_the_schema_cannot_say(case) -> None:
    """Done as the case is sent, not as it is generated: the coverage phase's cases are made
    when the test is collected, before the rows they should name exist."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if isinstance(case.body, dict) and "file" in case.body:
        # an upload (multipart) names an incident that exists, but keeps the record it was
        # generated with: a kind or record that does not exist is a 404, which the schema
        # documents, and an existing one would hold the generated bytes to the type rules
        if case.body.get("incident") not in (None, ""):
            case.body["incident"] = EXISTING["incident"]
        return
    if isinstance(case.body, dict):
        case.body = _times_as_described(_cross_field_rules(_existing_references(case.body)))
    if isinstance(case.query, dict) and case.operation.path.startswith("/api/v1/metrics/"):
        case.query = _a_period(_existing_references(case.query))


@pytest.mark.fuzz
@schema.parametrize()
# derandomize: the same examples on every run, so that CI is reproducible
@settings(suppress_health_check=list(HealthCheck), max_examples=30, derandomize=True, deadline=None)
def test_the_api_does_what_its_schema_says(case, raw_key, wsgi_keeps_test_connection):
    respect_what_the_schema_cannot_say(case)
    # headers given here are the test's own credentials: the `ignored_auth` check then also
    # sends each successful request without a key and with a wrong one, and expects a 401
    case.call_and_validate(headers={"Authorization": f"Api-Key {raw_key}"})


@pytest.mark.fuzz
def test_sequences_that_follow_the_schemas_links(raw_key, wsgi_keeps_test_connection):
    """The stateful phase: chains of calls along the links the schema declares or schemathesis
    infers (create an incident, then read, classify, acknowledge it ...), every check on each
    answer."""

    class Workflow(schema.as_state_machine()):
        # Each scenario starts from the same rows (those the test made beforehand): what one
        # scenario wrote would otherwise change what the next one's lists return, and
        # Hypothesis, replaying a scenario, would find it drawing differently.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            respect_what_the_schema_cannot_say(case)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Api-Key {raw_key}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # as call_and_validate: the headers are the test's credentials, not generated ones
            case.validate_response(
                response,
                headers=kwargs.get("headers"),
                additional_checks=additional_checks,
                transport_kwargs=kwargs,
            )

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
