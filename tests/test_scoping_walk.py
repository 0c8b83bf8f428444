"""Every record reaches only those entitled to it, on every route: a walk generated from the
URLconf (``tests/routes.py``) asks each route, as people and API keys of departments that
have no part in the demo's records, for every record there is, and reads each answer for what
those records would give away (numbers, titles, customers' names and phones). Writes are
tried on every record too, and must change nothing. A new route is walked without a change
here; a route that leaks fails with its name.

The demo's records (``seed_demo --records``) involve six departments and most cities; the
Baicheng branch and the legal department have no part in them, so whatever of them a route
answers to these outsiders is a leak.
"""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_fsm import FSMField

from accountability.models import Violation
from accountability.services import violation_confirm
from alerts.models import AlertRecipient
from collaboration import records
from collaboration.models import Comment
from collaboration.services import comment_create
from complaints.models import Complaint
from deadlines.services import deadlines_sweep
from incidents.demo import seed_records
from incidents.models import ActionItem, Incident, TimelineEvent
from organisation.demo import seed_demo
from organisation.models import Department
from tests import factories
from tests.routes import routes

# the world and every walk run on clocks of their own (PINNED, LATER)
pytestmark = [pytest.mark.django_db, pytest.mark.pinned]
PINNED = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATER = PINNED + timedelta(hours=25)
OUTSIDERS = ("bc_contact", "bc_leader", "legal_contact")
RECORDS = (Incident, Complaint, Violation, ActionItem, AlertRecipient)
ROUTES = routes()


@pytest.fixture
def world():
    """The demo's records a day on: limits breached, violations found, and confirmed (the
    monthly assessment names people and fines)."""
    with time_machine.travel(PINNED, tick=True):
        seed_demo()
        seed_records()
    with time_machine.travel(LATER, tick=True):
        deadlines_sweep()
        assessor = User.objects.get(username="mkt_contact")
        for violation in Violation.objects.all():
            violation_confirm(violation_id=violation.pk, actor=assessor, reason="属实")
        manager = User.objects.get(username="manager")
        for kind in records.kinds():  # a discussion on the first record of each kind
            record = kind.scope(manager).order_by("pk").first()
            if record is not None:
                comment_create(record=record, author=manager, body=f"请核实 {record}")
    assert Violation.objects.filter(state="confirmed").exists()


def secrets() -> set[str]:
    """What the demo's records would give away."""
    found = set(Incident.objects.values_list("number", flat=True))
    found |= set(Incident.objects.values_list("title", flat=True))
    for number, name, phone in Complaint.objects.values_list(
        "number", "customer_name", "customer_phone"
    ):
        found |= {number, name, phone}
    found |= set(Violation.objects.values_list("number", flat=True))
    return {secret for secret in found if secret}


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        return " ".join(
            str(cell)
            for sheet in load_workbook(BytesIO(body)).worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "pdf" in kind:
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)
    return body.decode("utf-8", "replace")


def record_ids() -> list[int]:
    return sorted({pk for model in RECORDS for pk in model.objects.values_list("pk", flat=True)})


def action_names() -> set[str]:
    """Every transition of every workflow of ours (the ``act/<name>`` routes)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FSMField):
                names |= {t.name for t in field.get_all_transitions(model)}
    return names


def urls(route, ids, names) -> list[str]:
    """The route's URLs for every record id (and, for ``act/<name>``, every action)."""
    fillers = {
        "period": ["2026-03"],
        "fmt": ["xlsx", "pdf"],
        "table": ["departments"],
        "kind": [kind.code for kind in records.kinds()],  # a record's discussion, its files
    }
    combos: list[dict] = [{}]
    for keyword, kind in route.converters:
        values = ids if kind == "int" else fillers.get(keyword, sorted(names) or ["x"])
        if keyword == "token":
            values = ["not-a-token"]
        combos = [{**combo, keyword: value} for combo in combos for value in values]
    found = []
    for kwargs in combos:
        try:
            found.append(reverse(route.name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return found


def snapshot() -> tuple:
    """The state a write by an outsider must leave as it was."""
    return (
        TimelineEvent.objects.count(),
        sorted(Incident.objects.values_list("pk", "state", "level", "complaints")),
        sorted(Complaint.objects.values_list("pk", "state", "incident_id", "department_id")),
        sorted(Violation.objects.values_list("pk", "state")),
        sorted(AlertRecipient.objects.values_list("pk", "acknowledged_at")),
        sorted(ActionItem.objects.values_list("pk", "state")),
        sorted(Comment.objects.values_list("pk", "body")),
    )


def leaks(client: Client, method: str, url_list: list[str], hidden: set[str]) -> list[str]:
    found = []
    for url in url_list:
        response = getattr(client, method)(url)
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
        if method == "get" and response.status_code == 200:
            text = text_of(response)
            shown = sorted(secret for secret in hidden if secret in text)
            if shown:
                found.append(f"GET {url} shows {shown[:3]}")
    return found


@pytest.mark.parametrize("username", OUTSIDERS)
def test_no_page_or_api_shows_an_outsider_a_record(world, username):
    hidden, ids = secrets(), record_ids()
    assert hidden and ids
    found = []
    client = Client()
    client.force_login(User.objects.get(username=username))
    with time_machine.travel(LATER, tick=True):
        for route in ROUTES:
            found += leaks(client, "get", urls(route, ids, set()), hidden)
    assert not found, "\n".join(found)


# Routes open to everyone, without a sign-in: the public status page (notices.views), which
# shows the approved texts of public notices only, never a record's number, title or people.
PUBLIC_ROUTES = {"status:page", "status:feed", "status:detail", "status:language"}


def test_the_status_pages_are_the_public_ones_and_show_no_record(world):
    """The walks above sign in; these routes answer anyone, so they are listed here on
    purpose, and read without a sign-in for what the records would give away."""
    assert {route.name for route in ROUTES if route.pattern.startswith("status/")} == PUBLIC_ROUTES
    assert not leaks(Client(), "get", ["/status/", "/status/feed.json"], secrets())


@pytest.mark.parametrize("scope", ["department", "intake"])
def test_no_key_reads_what_its_scope_does_not_reach(world, scope):
    hidden, ids = secrets(), record_ids()
    branch = Department.objects.get(code="BR-BC")
    raw = factories.make_api_key(department=branch if scope == "department" else None)[1]
    api = [route for route in ROUTES if route.api]
    assert api
    found = []
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    for route in api:
        found += leaks(client, "get", urls(route, ids, set()), hidden)
    assert not found, "\n".join(found)


def test_no_outsider_changes_a_record_by_any_route(world):
    ids = sorted(
        {
            pk
            for model in (Incident, Complaint, Violation, ActionItem)
            for pk in model.objects.values_list("pk", flat=True)
        }
    )
    names = action_names()
    before = snapshot()
    client = Client()
    client.force_login(User.objects.get(username="bc_contact"))
    with time_machine.travel(LATER, tick=True):
        for route in ROUTES:
            if route.converters and not route.api:
                leaks(client, "post", urls(route, ids, names), set())
    assert snapshot() == before
