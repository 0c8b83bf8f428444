"""No input gets a server error, and a write that fails leaves nothing behind (REST contract:
"bad input gets a 4xx ... never a 500, never a half-written record").

Each case found has a test of its own; then comes the net that keeps the class gone: a
catalogue of bad input (NUL bytes, far and out-of-range dates, huge and non-numeric numbers,
periods that are no month, deep JSON, wrong content types, oversize bodies, odd headers) sent to
every route of the URLconf, as query parameters and as bodies, signed in as the manager (who sees everything)
and with an API key. Routes, their objects and their form fields are read from the URLconf, the
demo's pages and the API schema, never from a list kept here: a new route is covered without a
change to this file.

The demo is loaded once for the module, in a transaction rolled back at its end; every request
runs in a savepoint of its own, rolled back after it, so each meets the same demo.
"""

import json
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms as django_forms
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import timezone
from rest_framework import serializers as drf_serializers

from core.limits import LARGEST_COUNT
from tests.routes import Route, routes

# A working Tuesday in a year the working-day calendar knows: the demo's deadlines are fixed.
PINNED = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OURS = ("organisation", "incidents", "alerts", "accountability", "dashboards", "notifications")
ROOT = Path(__file__).resolve().parent.parent

# Each test runs in a savepoint of the module's transaction (the demo's, rolled back at the end).
pytestmark = pytest.mark.django_db


# --- the routes of the URLconf ----------------------------------------------------------------

ROUTES = routes()
_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")  # a named group of a DRF route's pattern


# --- what the routes take: field names and their kinds ---------------------------------------

START = re.compile(r"(^since$|_after$|_from$|^from$)")
END = re.compile(r"(^until$|_before$|_to$|^to$)")


def _kind_of_form_field(form_field) -> str:
    if isinstance(form_field, django_forms.DateTimeField):
        return "moment"
    if isinstance(form_field, django_forms.DateField):
        return "day"
    if isinstance(form_field, django_forms.IntegerField | django_forms.ModelChoiceField):
        return "number"
    if isinstance(form_field, django_forms.BooleanField):
        return "flag"
    return "text"


SERIALIZER_KINDS = (
    (drf_serializers.DateTimeField, "moment"),
    (drf_serializers.DateField, "day"),
    (drf_serializers.IntegerField, "number"),
)


def _subclasses(cls) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls) -> bool:
    return cls.__module__.split(".")[0] in OURS


def _known_fields() -> dict[str, set[str]]:
    """Every input name our forms, filter sets and serializers declare, and every query
    parameter our views read by name, with the kinds of value each takes."""
    import django_filters

    known: dict[str, set[str]] = {}
    for form in filter(_ours, _subclasses(django_forms.Form)):
        for name, form_field in form.base_fields.items():
            known.setdefault(name, set()).add(_kind_of_form_field(form_field))
    for filterset in filter(_ours, _subclasses(django_filters.FilterSet)):
        for name, declared in filterset.base_filters.items():
            known.setdefault(name, set()).add(_kind_of_form_field(declared.field_class()))
    for serializer in filter(_ours, _subclasses(drf_serializers.Serializer)):
        for name, declared in serializer._declared_fields.items():
            if declared.read_only:
                continue
            kind = next(
                (kind for types, kind in SERIALIZER_KINDS if isinstance(declared, types)), "text"
            )
            known.setdefault(name, set()).add(kind)
    read = re.compile(r"""(?:GET|POST|query_params|data)\.get(?:list)?\(\s*["'](\w+)["']""")
    for app in OURS:
        for path in (ROOT / app).rglob("*.py"):
            for name in read.findall(path.read_text()):
                known.setdefault(name, set())
    for name, kinds in known.items():
        if name == "period":
            kinds.add("period")
        if name in ("page", "page_size", "size"):
            kinds.add("number")
        if not kinds:
            kinds.add("text")
    return known


# --- the catalogue -------------------------------------------------------------------------


FAR_PAST_DAY, FAR_FUTURE_DAY = "0001-01-01", "9999-12-31"
# at the ends of the calendar, with an offset that takes UTC beyond them
FAR_PAST_MOMENT, FAR_FUTURE_MOMENT = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"


def _dates(day: str | None, moment: str | None, only: re.Pattern | None = None):
    def value(kind: str, name: str):
        if only is not None and not only.search(name):
            return None
        return {"day": day, "moment": moment}.get(kind)

    return value


def _kinds(**values):
    return lambda kind, name: values.get(kind)


# label → (kind, field name) → the bad value, or None to leave the field as it is. Each case
# is one request; its value goes into every field of its kind at once.
FIELD_CASES = {
    "NUL byte": lambda kind, name: "on\x00" if kind == "flag" else "1\x00",
    "far past dates": _dates(FAR_PAST_DAY, FAR_PAST_MOMENT),
    "far future dates": _dates(FAR_FUTURE_DAY, FAR_FUTURE_MOMENT),
    "far past local time": _dates(None, "0001-01-01T00:00"),
    "before the platform's time": _dates("1900-01-01", "1900-01-01T00:00"),
    "only a far past start": _dates(FAR_PAST_DAY, FAR_PAST_MOMENT, START),
    "only a far future start": _dates(FAR_FUTURE_DAY, FAR_FUTURE_MOMENT, START),
    "only a far past end": _dates(FAR_PAST_DAY, FAR_PAST_MOMENT, END),
    "only a far future end": _dates(FAR_FUTURE_DAY, FAR_FUTURE_MOMENT, END),
    "a number beyond an integer column": _kinds(number="2147483648"),
    "a number beyond 64 bits": _kinds(number="99999999999999999999"),
    "a negative number": _kinds(number="-1"),
    "a period beyond any year": _kinds(period="99999999999999999999-01"),
    "a period that is no month": _kinds(period="2026-13"),
    "long text": _kinds(text="长" * 5000, period="2026-01" * 500),
}
# sent once per route with every input name we know (a view may read one no form shows)
CATCH_ALL = (
    "NUL byte",
    "far future dates",
    "only a far past end",
    "a number beyond an integer column",
    "a period beyond any year",
)

DEEP = 1000
# whole bodies: (label, content type, body); JSON ones to the API only
JSON_BODIES: list[tuple[str, str, bytes]] = [
    (f"JSON nested {DEEP} deep", "application/json", b"[" * DEEP + b"]" * DEEP),
    (
        f"JSON object nested {DEEP} deep in a field",
        "application/json",
        b'{"title": ' + b'{"a": ' * DEEP + b"1" + b"}" * (DEEP + 1),
    ),
    ("JSON nested beyond any stack", "application/json", b"[" * 200_000),
    ("JSON NaN", "application/json", b'{"customers_affected": NaN, "text": NaN}'),
    ("JSON NUL escape", "application/json", b'{"title": "a\\u0000b", "text": "\\u0000"}'),
    ("JSON lone surrogate", "application/json", b'{"title": "\\ud800", "text": "\\udfff"}'),
    ("JSON list", "application/json", b"[1, 2, 3]"),
    ("JSON empty", "application/json", b""),
    ("JSON not UTF-8", "application/json", b'{"title": "\xff\xfe"}'),
    ("JSON in an unknown charset", "application/json; charset=x-unknown", b'{"title": "x"}'),
    ("JSON in UTF-16", "application/json; charset=utf-16", '{"title": "x"}'.encode("utf-16")),
    ("oversize JSON", "application/json", b'{"title": "' + b"x" * 3_000_000 + b'"}'),
]
OTHER_BODIES: list[tuple[str, str, bytes]] = [
    ("plain text", "text/plain", b"hello"),
    ("multipart without a boundary", "multipart/form-data", b"--x\r\n\r\n"),
    (
        "multipart cut short",
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc',
    ),
    (
        "multipart with a NUL",
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\na\x00b\r\n--x--\r\n',
    ),
    ("form with a NUL in a name", "application/x-www-form-urlencoded", b"ti%00tle=x"),
    ("form not UTF-8", "application/x-www-form-urlencoded", b"title=%ff%fe&text=%c0"),
    (
        "form of 5000 fields",
        "application/x-www-form-urlencoded",
        "&".join(f"f{i}=1" for i in range(5000)).encode(),
    ),
    ("no content type", "", b"title=x"),
    ("oversize form", "application/x-www-form-urlencoded", b"title=" + b"x" * 3_000_000),
]
FEW_BODIES = {
    f"JSON nested {DEEP} deep",
    "JSON NUL escape",
    "multipart with a NUL",
    "form of 5000 fields",
}
# every field of the API's body of another type
TYPE_CASES = {
    "every field an object": {"a": [1]},
    "every field a list": [["x"]],
    "every field null": None,
}

HEADER_CASES = {
    "Idempotency-Key with a NUL": {"Idempotency-Key": "key\x00"},
    "Idempotency-Key of 300 characters": {"Idempotency-Key": "k" * 300},
    "Idempotency-Key not ASCII": {"Idempotency-Key": "钥匙"},
    "a header with a NUL": {"X-Request-Id": "a\x00b", "Accept-Language": "en\x00"},
    "a cookie with a NUL": {"Cookie": "sessionid=a\x00b; django_language=en\x00"},
}

QUERY_CASES = {
    "a query string not UTF-8": "since=%ff%fe&q=%c0%ae&period=%ff",
    "a query string with a NUL name": "a%00b=1&since%00=2026-01-01",
    "a query of 5000 parameters": "&".join(f"p{i}=1" for i in range(5000)),
    "an unknown format": "format=xml%00",
}

# bad values where the path takes one
PATH_CASES = {"int": ["99999999999999999999", "0"], "str": ["\x00", "9" * 40 + "-01", "x" * 2000]}


# --- the demo, once for the module -------------------------------------------------------------


class Forms(HTMLParser):
    """The links of a page, and its forms: action, method, and the value of each field as a
    browser would send it (name → (kind, value)); a required choice left empty gets its
    first option, so that the form is valid but for the case sent."""

    KINDS = {"date": "day", "datetime-local": "moment", "number": "number", "checkbox": "flag"}

    def __init__(self, base: str):
        super().__init__()
        self.base = base
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                {
                    "action": a.get("action") or self.base,
                    "method": (a.get("method") or "get").upper(),
                    "fields": {},
                }
            )
        elif not self.forms or not (a.get("name") or tag == "option"):
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        if tag == "input" and a.get("type") not in ("submit", "button", "file", "reset"):
            kind = self.KINDS.get(a.get("type") or "text", "text")
            if a.get("type") in ("checkbox", "radio") and (
                a["name"] in fields or "checked" not in a
            ):
                if a.get("type") == "radio" and a["name"] not in fields:
                    fields[a["name"]] = ("text", a.get("value") or "")
                return
            fields[a["name"]] = (kind, a.get("value") or ("on" if kind == "flag" else ""))
        elif tag == "select":
            self._select = {
                "name": a["name"],
                "required": "required" in a,
                "first": None,
                "selected": None,
            }
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a and self._select["selected"] is None:
                self._select["selected"] = value
            if value and self._select["first"] is None:
                self._select["first"] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ("text", "")

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self.forms:
            select = self._select
            value = select["selected"] or (select["first"] if select["required"] else "")
            self.forms[-1]["fields"][select["name"]] = ("text", value or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] = ("text", data.strip())


def _path(url: str) -> str:
    return urlsplit(url).path


@dataclass
class Target:
    """One URL of a route, with the fields its pages send to it (name → (kind, value))."""

    route: Route
    kwargs: dict
    post_fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    get_fields: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return reverse(self.route.name, kwargs=self.kwargs)


@dataclass
class World:
    manager: User
    api_key: str
    known: dict[str, set[str]]
    found: dict[str, list[Target]]  # route name → its URLs the pages lead to
    schema: dict
    codes: dict[str, str]  # valid codes for the API's reference fields
    listed: dict = field(default_factory=dict)  # (identity, viewset) → ids its list shows


def _route_of(url: str) -> tuple[Route, dict] | None:
    try:
        match = resolve(_path(url))
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    route = next((r for r in ROUTES if r.name == name), None)
    return None if route is None else (route, match.kwargs)


def _discover(manager: User, known: dict[str, set[str]]) -> dict[str, list[Target]]:
    """The URLs of every route the demo's pages lead to (the anchors and forms of the pages
    of every route without parameters and of every record's own page), with the fields of
    their forms and links; one URL per set of non-id parameters."""
    client = Client()
    client.force_login(manager)
    pages = [reverse(route.name) for route in ROUTES if not route.converters and not route.api]
    for model in apps.get_models():
        if model._meta.app_label in OURS and hasattr(model, "get_absolute_url"):
            pages += [row.get_absolute_url().split("#")[0] for row in model.objects.all()[:40]]
    found: dict[str, dict[tuple, Target]] = {}

    def target(url: str) -> Target | None:
        routed = _route_of(url)
        if routed is None:
            return None
        route, kwargs = routed
        ids = {name for name, kind in route.converters if kind == "int"}
        shape = tuple(sorted((k, v) for k, v in kwargs.items() if k not in ids))
        return found.setdefault(route.name, {}).setdefault(shape, Target(route, kwargs))

    for page in dict.fromkeys(pages):
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms(page)
        parser.feed(response.content.decode())
        for href in parser.links:
            if href.startswith("/") and (linked := target(href)) is not None:
                for name, value in parse_qsl(urlsplit(href).query):
                    kind = min(known.get(name, {"text"}))
                    linked.get_fields.setdefault(name, (kind, value))
        for form in parser.forms:
            action = form["action"] if form["action"].startswith("/") else page
            if (posted := target(action)) is not None:
                into = posted.post_fields if form["method"] == "POST" else posted.get_fields
                for name, value in form["fields"].items():
                    into.setdefault(name, value)
    return {name: list(shapes.values()) for name, shapes in found.items()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    from accountability.models import Violation
    from deadlines.services import deadlines_sweep
    from organisation.demo import seed_demo, seed_records
    from organisation.models import City, Department
    from organisation.services import api_key_create

    with django_db_blocker.unblock(), time_machine.travel(PINNED, tick=True) as traveller:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                seed_demo()
                seed_records()
            # a day on: the deadlines the demo left open are breached, violations proposed
            traveller.move_to(PINNED + timedelta(hours=25))
            with TestCase.captureOnCommitCallbacks(execute=True):
                deadlines_sweep()
            assert Violation.objects.exists()
            _key, raw = api_key_create(
                name="bad-input probe", department=Department.objects.get(code="NET")
            )
            manager = User.objects.get(username="manager")
            known = _known_fields()
            yield World(
                manager=manager,
                api_key=raw,
                known=known,
                found=_discover(manager, known),
                schema=SchemaGenerator().get_schema(request=None, public=True),
                codes={"department": "NET", "city": City.objects.order_by("pk").first().code},
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def manager_client(world) -> Client:
    client = Client()
    client.force_login(world.manager)
    return client


# --- the cases found ---------------------------------------------------------------------------


def _errors(response) -> dict[str, str]:
    """The API's errors as attr → code."""
    return {error["attr"]: error["code"] for error in response.json()["errors"]}


def _incident_form(**changes) -> dict:
    from organisation.models import City

    local = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
    return {
        "title": "长春城区宽带中断",
        "business_line": "network",
        "source": "business_risk",
        "hq_level": "",
        "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
        "cities": [City.objects.get(code="CC").pk],
        "customers_affected": "100",
        "publicity": "none",
        **changes,
    }


def test_json_nested_a_thousand_deep_is_a_400(world, manager_client):
    from incidents.models import Incident

    before = Incident.objects.count()
    for body in (b"[" * 1000 + b"]" * 1000, b'{"title": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001):
        response = manager_client.post("/api/v1/incidents/", body, content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        assert _errors(response) == {None: "parse_error"}
    assert Incident.objects.count() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "attr"),
    [
        ("GET", "/api/v1/incidents/?department=NET%00", None, None, "department"),
        ("GET", "/api/v1/complaints/?incident=1%00", None, None, "incident"),
        ("POST", "/api/v1/incidents/", {}, {"Idempotency-Key": "retry\x00"}, "Idempotency-Key"),
        ("POST", "/api/v1/incidents/", {"title": "x\x00", "business_line": "x"}, None, "title"),
        # {incident}: the demo's first incident (ids depend on what ran before)
        ("POST", "/api/v1/incidents/{incident}/action_items/", {"owner": "net\x00"}, None, "owner"),
    ],
    ids=["query", "query of an id", "Idempotency-Key", "JSON", "JSON of a reference"],
)
def test_a_nul_byte_is_a_400_naming_where(world, manager_client, method, path, body, headers, attr):
    from incidents.models import Incident

    path = path.format(incident=Incident.objects.order_by("pk").first().pk)
    if method == "GET":
        response = manager_client.get(path)
    else:
        response = manager_client.post(path, body, content_type="application/json", headers=headers)
    assert response.status_code == 400, response.content[:300]
    assert _errors(response) == {attr: "null_characters_not_allowed"}


def test_a_nul_byte_in_a_page_form_or_query_is_a_400(world, manager_client):
    from incidents.models import Incident

    before = Incident.objects.count()
    response = manager_client.post("/incidents/new/", _incident_form(title="宽带\x00中断"))
    assert response.status_code == 400
    assert "title" in response.content.decode()
    assert Incident.objects.count() == before
    assert manager_client.get("/directory/?q=%00").status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
@pytest.mark.parametrize("name", ["since", "until"])
def test_a_day_out_of_range_is_an_error_naming_the_field(world, manager_client, day, name):
    for url in (
        "/api/v1/metrics/overview/",
        "/api/v1/metrics/trends/",
        "/api/v1/metrics/departments/",
    ):
        response = manager_client.get(url, {name: day})
        assert response.status_code == 400, (url, response.content[:200])
        assert _errors(response) == {name: "out_of_range"}
    for url in (
        "/dashboard/",
        "/incidents/",
        "/complaints/",
        "/incidents/deadlines/",
        "/dashboard/export/trends.csv",
    ):
        response = manager_client.get(url, {name: day})
        assert response.status_code < 500, url
        if response.status_code == 200 and "html" in response["Content-Type"]:
            assert name in response.context["form"].errors, url


def test_a_time_out_of_range_is_a_400_on_the_api(world, manager_client):
    for value in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00"):
        response = manager_client.get("/api/v1/incidents/", {"created_before": value})
        assert response.status_code == 400
        assert _errors(response) == {"created_before": "out_of_range"}
        body = {
            "title": "x",
            "business_line": "network",
            "source": "business_risk",
            "occurred_at": value,
        }
        response = manager_client.post("/api/v1/incidents/", body, content_type="application/json")
        assert response.status_code == 400
        assert _errors(response) == {"occurred_at": "out_of_range"}


def test_a_time_at_an_offset_postgresql_cannot_hold_is_the_same_moment(world, manager_client):
    """Python takes offsets up to ±24 h, PostgreSQL only up to ±15:59: the page's form and
    the API's filters alike read the moment."""
    from incidents.models import Incident

    moment = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    far = moment.astimezone(dt_timezone(timedelta(hours=19, minutes=1)))
    page = manager_client.post("/incidents/new/", _incident_form(occurred_at=far.isoformat()))
    assert page.status_code == 302
    assert Incident.objects.latest("pk").occurred_at == moment
    shown = len(manager_client.get("/api/v1/incidents/").json()["results"])
    assert shown
    for name, value, expected in (
        ("created_before", "2099-12-31T23:00:00+19:01", shown),
        ("created_after", "2000-01-02T00:00:00-23:59", shown),
        ("created_after", "2099-12-31T23:00:00+19:01", 0),
    ):
        response = manager_client.get("/api/v1/incidents/", {name: value})
        assert response.status_code == 200, (name, value)
        assert len(response.json()["results"]) == expected, (name, value)


@pytest.mark.parametrize("period", ["99999999999999999999-01", "2026-13", "2026-1", "x"])
def test_a_period_that_is_no_month_is_not_found(world, manager_client, period):
    for url in (
        f"/accountability/assessments/{period}/",
        f"/accountability/assessments/{period}/export.xlsx",
        f"/accountability/assessments/{period}/export.pdf",
        f"/accountability/rankings/?period={period}",
    ):
        assert manager_client.get(url).status_code == 404, url


def test_the_web_incident_form_takes_what_the_api_takes(world, manager_client):
    """The form once stored customers_affected beyond an integer column (a 500) and an
    occurred_at of 1900-01-01 (swept into violations): it now refuses what the API refuses,
    from the same limits."""
    from incidents.api.serializers import IncidentCreateSerializer
    from incidents.forms import IncidentCreateForm
    from incidents.models import Incident

    cases = [
        ("customers_affected", "2147483648", False),
        ("customers_affected", str(LARGEST_COUNT + 1), False),
        ("customers_affected", str(LARGEST_COUNT), True),
        ("occurred_at", "0001-01-01T00:00", False),
        ("occurred_at", "1900-01-01T00:00", False),
        ("occurred_at", "1999-12-31T23:00", False),
        ("occurred_at", "2000-01-01T08:00", True),
        ("occurred_at", "2101-01-01T00:00", False),
    ]
    before = Incident.objects.count()
    for name, value, valid in cases:
        form = IncidentCreateForm(_incident_form(**{name: value}))
        api_value = int(value) if name == "customers_affected" else value + ":00+08:00"
        serializer = IncidentCreateSerializer(
            data={
                "title": "x",
                "business_line": "network",
                "source": "business_risk",
                "occurred_at": "2026-03-10T08:00:00+08:00",
                name: api_value,
            }
        )
        assert form.is_valid() is valid, (name, value, form.errors)
        assert serializer.is_valid() is valid, (name, value, serializer.errors)
        if not valid:
            assert list(form.errors) == [name]
            assert list(serializer.errors) == [name]
            page = manager_client.post("/incidents/new/", _incident_form(**{name: value}))
            assert page.status_code == 200
            assert list(page.context["form"].errors) == [name]
    assert Incident.objects.count() == before


def test_the_incident_form_from_a_mass_complaint_that_is_gone(world, manager_client):
    from incidents.models import Incident

    before = Incident.objects.count()
    assert manager_client.get("/complaints/mass/99999999999999999999/raise/").status_code == 404
    page = manager_client.post("/complaints/mass/999999/raise/", _incident_form())
    assert page.status_code == 404
    assert Incident.objects.count() == before


def test_the_bulletin_of_an_incident_without_a_root_cause(world, manager_client):
    from incidents.models import Incident

    incident = Incident.objects.exclude(submissions__kind="root_cause").order_by("pk").first()
    assert incident is not None
    page = manager_client.get(f"/incidents/{incident.pk}/bulletin/")
    assert page.status_code == 200
    assert "—" in page.content.decode()
    pdf = manager_client.get(f"/incidents/{incident.pk}/bulletin.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_write_that_fails_leaves_nothing(world, monkeypatch):
    """What a request wrote before it failed is rolled back with it: through the API, and
    from a page."""
    from incidents import views
    from incidents.api.views import IncidentViewSet
    from incidents.models import Incident, TimelineEvent

    client = Client(raise_request_exception=False)
    client.force_login(world.manager)
    before = (Incident.objects.count(), TimelineEvent.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be rendered")

    monkeypatch.setattr(IncidentViewSet, "get_serializer", broken)
    body = {
        "title": "x",
        "business_line": "network",
        "source": "business_risk",
        "occurred_at": timezone.now().isoformat(),
    }
    response = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 500
    monkeypatch.setattr(views.messages, "success", broken)
    response = client.post("/incidents/new/", _incident_form())
    assert response.status_code == 500
    assert (Incident.objects.count(), TimelineEvent.objects.count()) == before


def test_a_refused_api_write_leaves_nothing(world, manager_client, monkeypatch):
    """A service that wrote and then refused (a 4xx) leaves nothing either."""
    from incidents import services
    from incidents.models import Incident, TimelineEvent

    create = services.incident_create

    def create_then_refuse(**facts):
        create(**facts)
        raise DjangoValidationError({"title": "refused after writing"})

    monkeypatch.setattr(services, "incident_create", create_then_refuse)
    before = (Incident.objects.count(), TimelineEvent.objects.count())
    body = {
        "title": "x",
        "business_line": "network",
        "source": "business_risk",
        "occurred_at": timezone.now().isoformat(),
    }
    response = manager_client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 400
    assert (Incident.objects.count(), TimelineEvent.objects.count()) == before


# --- sending ---------------------------------------------------------------------------------


MARK = "bad_input_mark"


def _mark() -> tuple[int, dict[str, int]]:
    """The transaction id a write made now gets (a row written in the request's savepoint, or
    in any it opens, has one as large or larger), and the rows inserted so far per table."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {MARK} (n int)")
        cursor.execute(f"INSERT INTO {MARK} VALUES (1) RETURNING xmin::text::bigint")
        xid = cursor.fetchone()[0]
        return xid, _inserted(cursor)


def _inserted(cursor) -> dict[str, int]:
    cursor.execute("SELECT relname, n_tup_ins FROM pg_stat_xact_user_tables WHERE n_tup_ins > 0")
    return {name: count for name, count in cursor.fetchall() if name != MARK}


# Rows that a refused write may leave, because what they record happened: a page shown again
# with the form's errors shows a complaint's personal data (the read is logged), a failed
# sign-in is counted.
RECORDS_OF_WHAT_HAPPENED = {"incidents_personaldataread", "axes_accessattempt", "axes_accesslog"}


def _rows_left_since(mark: tuple[int, dict[str, int]]) -> list[str]:
    """Tables with rows inserted since ``mark`` that are still there (the statistics count
    rows a rolled-back savepoint inserted too)."""
    xid, before = mark
    with connection.cursor() as cursor:
        tables = sorted(
            name
            for name, count in _inserted(cursor).items()
            if count > before.get(name, 0) and name not in RECORDS_OF_WHAT_HAPPENED
        )
        if not tables:
            return []
        cursor.execute(
            " UNION ALL ".join(
                f"(SELECT %s FROM {connection.ops.quote_name(table)} "
                "WHERE xmin::text::bigint >= %s LIMIT 1)"
                for table in tables
            ),
            [value for table in tables for value in (table, xid)],
        )
        return [row[0] for row in cursor.fetchall()]


class Sender:
    """One identity's requests, each in a savepoint rolled back after it (and its cookies put
    back: a sign-out or a language switch lasts one request). Collects the failures: an answer
    of 500 or more, an exception, and a write refused with a 4xx that left a row behind."""

    def __init__(self, client: Client, who: str, *, thorough: bool):
        self.client = client
        self.who = who
        self.thorough = thorough  # every URL of a route and every whole-body case, or a few
        self.cookies = client.cookies.output(header="", sep=";")
        self.failures: list[str] = []
        self.sent = 0

    def send(
        self,
        method: str,
        url: str,
        label: str,
        *,
        query: str = "",
        body: bytes = b"",
        content_type: str = "",
        headers: dict | None = None,
    ) -> int:
        self.sent += 1
        status = 500
        where = f"{self.who} {method} {url[:80]} [{label[:40]}]"
        with transaction.atomic():
            mark = _mark() if method != "GET" else (0, {})
            try:
                response = self.client.generic(
                    method,
                    url + (f"?{query}" if query else ""),
                    data=body,
                    content_type=content_type,
                    headers=headers,
                )
                status = response.status_code
                if status >= 500:
                    self.failures.append(f"{where}: {status}")
                elif status >= 400 and method != "GET" and (left := _rows_left_since(mark)):
                    self.failures.append(f"{where}: {status}, rows left in {', '.join(left)}")
            except Exception as error:  # what the server would have answered with a 500
                frames = traceback.format_exception(error)[-2:]
                self.failures.append(f"{where}: " + "".join(f[:300] for f in frames).strip())
            transaction.set_rollback(True)
        self.client.cookies = SimpleCookie()
        self.client.cookies.load(self.cookies)
        return status

    def report(self) -> str:
        return f"{len(self.failures)} of {self.sent} requests failed:\n" + "\n".join(
            self.failures[:40]
        )


# --- one route, the whole catalogue -----------------------------------------------------------


def _schema_of(world: World, schema: dict) -> dict:
    while "$ref" in schema:
        schema = world.schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operation(world: World, route: Route, method: str) -> dict:
    """The route's OpenAPI operation (its query parameters and body)."""
    path = "/" + route.pattern.replace("^", "").replace("$", "")
    path = _GROUP.sub(lambda m: "{" + ("id" if m.group(1) == "pk" else m.group(1)) + "}", path)
    return world.schema.get("paths", {}).get(path, {}).get(method.lower(), {})


def _schema_kind(world: World, schema: dict) -> str:
    schema = _schema_of(world, schema)
    return {"date": "day", "date-time": "moment"}.get(schema.get("format", "")) or {
        "integer": "number",
        "boolean": "flag",
        "array": "list",
        "object": "object",
    }.get(schema.get("type", ""), "text")


def _api_query(world: World, route: Route) -> dict[str, set[str]]:
    """The query parameters the schema names for the route's GET, with their kinds (and the
    kinds our forms give the same names: the metrics take the dashboard's dates)."""
    fields: dict[str, set[str]] = {}
    for parameter in _operation(world, route, "GET").get("parameters", []):
        if parameter.get("in") == "query":
            fields.setdefault(parameter["name"], set()).add(
                _schema_kind(world, parameter.get("schema", {}))
            )
    for name, kinds in fields.items():
        kinds |= world.known.get(name, set()) - {"text"}
    return fields


def _takes_body(world: World, route: Route, method: str) -> bool:
    return "requestBody" in _operation(world, route, method)


def _api_body(world: World, route: Route, method: str) -> tuple[dict, dict[str, str]]:
    """A plausible body for the operation (its required fields) and each field's kind."""
    content = _operation(world, route, method).get("requestBody", {}).get("content", {})
    schema = _schema_of(world, content.get("application/json", {}).get("schema", {}))
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    body, kinds = {}, {}
    for name, prop in schema.get("properties", {}).items():
        prop = _schema_of(world, prop)
        if prop.get("readOnly"):
            continue
        kind = kinds[name] = _schema_kind(world, prop)
        if name not in schema.get("required", []):
            continue
        enum = prop.get("enum") or [
            value
            for sub in prop.get("oneOf", [])
            for value in _schema_of(world, sub).get("enum", [])
            if value
        ]
        code = next((value for key, value in world.codes.items() if key in name), None)
        plain = {
            "day": now.date().isoformat(),
            "moment": now.isoformat(),
            "number": 1,
            "flag": False,
            "list": [],
            "object": {},
        }
        body[name] = enum[0] if enum else code or plain.get(kind, "x")
    return body, kinds


def _values(case, fields: dict[str, set[str]]) -> dict[str, str]:
    values = {}
    for name, kinds in fields.items():
        for kind in sorted(kinds):
            if (value := case(kind, name)) is not None:
                values[name] = value
                break
    return values


def _module_reads(route: Route) -> dict[str, set[str]]:
    """The query parameters the route's view module reads by name."""
    module = getattr(route.callback, "__module__", "") or ""
    if module.split(".")[0] not in OURS:
        return {}
    source = (ROOT / (module.replace(".", "/") + ".py")).read_text()
    read = re.compile(r"""GET\.get(?:list)?\(\s*["'](\w+)["']""")
    return {name: {"text"} for name in read.findall(source)}


def _targets(world: World, route: Route, sender: Sender) -> list[Target]:
    """The route's URLs the pages lead to; else one with a real object where the route takes
    an id (the first the identity may open) and 'x' for any other parameter."""
    if route.name in world.found and not route.api:
        return world.found[route.name][: 30 if sender.thorough else 1]
    if not route.converters:
        return [Target(route, {})]
    view_class = getattr(route.callback, "cls", None)
    if (sender.who, view_class) not in world.listed:
        candidates: list[int] = []
        for listing in ROUTES:
            if listing.api and not listing.converters and listing.callback.cls is view_class:
                response = sender.client.get(reverse(listing.name))
                if response.status_code == 200 and "json" in response.get("Content-Type", ""):
                    data = response.json()
                    rows = data.get("results", []) if isinstance(data, dict) else data
                    candidates += [r["id"] for r in rows if isinstance(r, dict) and "id" in r]
        world.listed[sender.who, view_class] = candidates
    candidates = world.listed[sender.who, view_class]
    for candidate in dict.fromkeys([*candidates[:10], *range(1, 6)]):
        target = Target(route, {n: candidate if k == "int" else "x" for n, k in route.converters})
        if route.api and "GET" not in route.api_methods:
            return [target]
        with transaction.atomic():
            status = sender.client.get(target.url).status_code
            transaction.set_rollback(True)
        if status != 404:
            return [target]
    return [target]


def _methods(route: Route, sender: Sender, target: Target) -> list[str]:
    """An API route's methods; a page's GET unless it refuses it, and POST where a page
    posts to it or it takes nothing else."""
    if route.api:
        return sorted(route.api_methods - {"HEAD", "OPTIONS"})
    methods = []
    if sender.send("GET", target.url, "is GET allowed") != 405:
        methods.append("GET")
    if target.post_fields or not methods:
        methods.append("POST")
    return methods


def _run_catalogue(world: World, route: Route, sender: Sender) -> None:
    targets = _targets(world, route, sender)
    methods = _methods(route, sender, targets[0])
    every_name = dict(world.known)
    for number, target in enumerate(targets):
        path = target.url
        if "GET" in methods:
            fields = (
                _api_query(world, route)
                if route.api
                else {
                    **_module_reads(route),
                    **{name: {kind} for name, (kind, _value) in target.get_fields.items()},
                }
            )
            for name, kinds in fields.items():
                kinds |= world.known.get(name, set()) - {"text"}
            for label, case in FIELD_CASES.items():
                if values := _values(case, fields):
                    sender.send("GET", path, label, query=urlencode(values))
        for method in (m for m in methods if m != "GET"):
            if route.api:
                _send_api_fields(world, route, sender, method, path)
            else:
                _send_form_fields(world, sender, method, target)
        if number:
            continue
        # once per route: its path, the catch-all fields, whole requests
        for name, kind in route.converters:
            for value in PATH_CASES[kind]:
                try:
                    bad = reverse(route.name, kwargs={**target.kwargs, name: value})
                except NoReverseMatch:
                    continue
                for method in methods:
                    sender.send(method, bad, f"{name}={value[:12]!r}")
        # views of other packages (the API's schema and docs, sign-in, the language switch)
        # read no name of ours: they get the cases every request meets, not the fields
        ours = str(getattr(route.callback, "__module__", "")).split(".")[0] in OURS
        if "GET" in methods and ours:
            for label in CATCH_ALL:
                values = _values(FIELD_CASES[label], every_name)
                sender.send("GET", path, f"every name we know: {label}", query=urlencode(values))
        if "GET" in methods:
            for label, query in QUERY_CASES.items():
                sender.send("GET", path, label, query=query)
            for label, headers in HEADER_CASES.items():
                sender.send("GET", path, label, headers=headers)
        for method in (m for m in methods if m != "GET"):
            bodies = (JSON_BODIES if route.api else []) + OTHER_BODIES
            if not sender.thorough or (route.api and not _takes_body(world, route, method)):
                # the same parsers, or a view that reads no body: a few cases show it
                bodies = [case for case in bodies if case[0] in FEW_BODIES]
            for label, content_type, body in bodies:
                sender.send(method, path, label, body=body, content_type=content_type)
            for label, headers in HEADER_CASES.items():
                sender.send(
                    method,
                    path,
                    label,
                    body=b"{}",
                    content_type="application/json",
                    headers=headers,
                )


def _encode(fields: dict[str, object]) -> bytes:
    return urlencode(fields, doseq=True).encode()


def _send_form_fields(world: World, sender: Sender, method: str, target: Target) -> None:
    """The form the pages post here, as shown (empty text filled in), one case at a time; a
    route no page posts to gets every input name we know, also under its parameters'
    prefixes (forms of several records on one page are prefixed)."""
    base = {
        name: value or ("x" if kind == "text" else value)
        for name, (kind, value) in target.post_fields.items()
    }
    if target.post_fields:
        # as shown, and as our forms declare it (a hidden field of an id takes numbers)
        fields = {
            name: {kind} | (world.known.get(name.rsplit("-", 1)[-1], set()) - {"text", "flag"})
            for name, (kind, _value) in target.post_fields.items()
        }
    else:
        parts = [str(v) for v in target.kwargs.values()]
        prefixes = ["", *(f"{a}-" for a in parts), *(f"{a}-{b}-" for a in parts for b in parts)]
        fields = {f"{p}{name}": kinds for name, kinds in world.known.items() for p in prefixes}
    for label, case in FIELD_CASES.items():
        if values := _values(case, fields):
            sender.send(
                method,
                target.url,
                label,
                body=_encode({**base, **values}),
                content_type="application/x-www-form-urlencoded",
            )


def _json(kind: str, value: str):
    if kind == "number" and re.fullmatch(r"-?\d+", value):
        return int(value)
    return [value] if kind == "list" else value


def _send_api_fields(world: World, route: Route, sender: Sender, method: str, path: str):
    """The body the schema describes, one case at a time, then each field of another type;
    the items of a list field (the bulk intake's complaints) get every name we know."""
    base, kinds = _api_body(world, route, method)
    fields = {name: {kind} for name, kind in kinds.items()}
    if not fields:  # no body: one case, every name we know
        sender.send(
            method,
            path,
            "NUL byte in every name we know",
            content_type="application/json",
            body=json.dumps(_values(FIELD_CASES["NUL byte"], world.known)).encode(),
        )
    for label, case in FIELD_CASES.items():
        if values := _values(case, fields):
            body = {**base, **{name: _json(kinds[name], v) for name, v in values.items()}}
            sender.send(
                method, path, label, body=json.dumps(body).encode(), content_type="application/json"
            )
    for label, value in TYPE_CASES.items():
        if kinds:
            sender.send(
                method,
                path,
                label,
                content_type="application/json",
                body=json.dumps({**base, **dict.fromkeys(kinds, value)}).encode(),
            )
    for name, kind in kinds.items():
        if kind == "list":
            for label in ("NUL byte", "far future dates", "a number beyond an integer column"):
                item = {
                    k: _json(min(v), x)
                    for k, v in world.known.items()
                    if (x := FIELD_CASES[label](min(v), k)) is not None
                }
                sender.send(
                    method,
                    path,
                    f"{label} in the items of {name}",
                    body=json.dumps({**base, name: [item]}).encode(),
                    content_type="application/json",
                )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_no_bad_input_is_a_server_error_for_the_manager(world, manager_client, route):
    sender = Sender(manager_client, "manager", thorough=True)
    _run_catalogue(world, route, sender)
    assert not sender.failures, sender.report()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_no_bad_input_is_a_server_error_with_an_api_key(world, route):
    key = Client(headers={"Authorization": f"Api-Key {world.api_key}"})
    sender = Sender(key, "api key", thorough=False)
    _run_catalogue(world, route, sender)
    assert not sender.failures, sender.report()
