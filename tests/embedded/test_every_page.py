"""On the embedded default, every demo login opens every page it is shown, every detail page
of the demo records and every export, and the deadline sweep's breaches have their
consequences: nothing answers 500.

Links are read from the rendered pages (the menu, then the pages it leads to), never from a
list kept here, so a page added to the menu is opened without a change to this test."""

import traceback
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.test import Client

from accountability.models import Violation
from accountability.selectors import penalty_rules_by_deadline_kind
from alerts.models import AlertRecipient
from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from deadlines.services import deadlines_sweep
from incidents.models import Incident, TimelineEvent
from notifications.models import Notification

pytestmark = pytest.mark.django_db

# Paths a crawl does not follow: other sites of their own (the admin beyond its index, the
# API beyond its documentation page), files, and what only a form posts to.
NOT_FOLLOWED = ("/admin/", "/api/", "/static/", "/media/", "/accounts/", "/i18n/")
# How deep a crawl goes from the menu: menu page → list → detail → what a detail links to.
DEPTH = 3
EXPORTS = (".xlsx", ".pdf", ".csv")


class Links(HTMLParser):
    """The ``href`` of every anchor, split into the page's chrome (menu, bell, footer) and its
    content (inside ``<main>``)."""

    def __init__(self):
        super().__init__()
        self.chrome: list[str] = []
        self.content: list[str] = []
        self.menu: list[str] = []
        self._main = 0
        self._nav = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self._main += 1
        elif tag == "nav" and "mainnav" in (attributes.get("class") or ""):
            self._nav += 1
        elif tag == "a" and attributes.get("href"):
            href = attributes["href"]
            (self.content if self._main else self.chrome).append(href)
            if self._nav:
                self.menu.append(href)

    def handle_endtag(self, tag):
        if tag == "main":
            self._main -= 1
        elif tag == "nav" and self._nav:
            self._nav -= 1


def _links(response) -> Links:
    parser = Links()
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode())
    return parser


def _internal(href: str, base: str) -> str | None:
    """The site-relative URL of ``href`` (fragment dropped), or None for another site, a
    mail or phone link, or the page itself."""
    href = urldefrag(href)[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if href.startswith("?"):
        href = urlsplit(base).path + href
    elif not href.startswith("/"):
        return None
    return href


def _shape(url: str) -> tuple[str, frozenset[str]] | None:
    """A filtered or paged list: its path and the names of its parameters (None without)."""
    parts = urlsplit(url)
    if not parts.query:
        return None
    return parts.path, frozenset(pair.partition("=")[0] for pair in parts.query.split("&"))


class Visit:
    """One person's walk over the site; failures collected, not raised at the first.

    A list's filter and page links (the dashboard's drill-downs: one per department, city,
    business line, ...) are opened once per set of parameters, by the first person of the walk
    who is shown one (``shapes``, shared): the others would repeat the same query."""

    def __init__(self, username: str, shapes: set | None = None):
        self.username = username
        self.shapes = set() if shapes is None else shapes
        self.client = Client()
        self.client.force_login(User.objects.get(username=username))
        self.status: dict[str, int] = {}
        self.failures: list[str] = []

    def get(self, url: str):
        try:
            response = self.client.get(url)
        except Exception as error:  # a view that raised: what would be a 500
            frames = traceback.format_exception(error)[-3:]
            self.failures.append(f"{self.username} GET {url}: {error!r}\n{''.join(frames)}")
            self.status[url] = 500
            return None
        self.status[url] = response.status_code
        return response

    def expect(self, url: str, allowed: set[int], found_on: str = ""):
        response = self.get(url)
        if response is not None and response.status_code not in allowed:
            self.failures.append(
                f"{self.username} GET {url}: {response.status_code}, expected {sorted(allowed)}"
                + (f" (linked from {found_on})" if found_on else "")
            )
        return response

    def menu(self) -> tuple[list[str], list[str]]:
        """The menu's links, and the rest of what every page offers around its content (the
        bell, the footer, a banner)."""
        home = self.expect("/", {200})
        assert home is not None
        links = _links(home)
        menu = [url for href in links.menu if (url := _internal(href, "/"))]
        assert menu, f"{self.username} sees no menu"
        chrome = [url for href in links.chrome if (url := _internal(href, "/"))]
        return list(dict.fromkeys(menu)), [url for url in dict.fromkeys(chrome) if url not in menu]

    def crawl(self) -> None:
        """Open the menu (each entry must answer 200) and the page's other links, then what
        their pages link to, DEPTH levels down: each a 200 or a redirect (opening a
        notification marks it read and follows its link; a banner's admin link sends one
        who is not staff to the admin's sign-in), never an error or a dead link."""
        menu, chrome = self.menu()
        frontier = []
        for url in menu + chrome:
            response = self.expect(url, {200} if url in menu else {200, 302}, found_on="/")
            followed = response is not None and response.status_code == 200
            if followed and not url.startswith(NOT_FOLLOWED):
                frontier.append((url, response))
        for _ in range(DEPTH):
            found = []
            for base, response in frontier:
                for href in _links(response).content:
                    url = _internal(href, base)
                    if url is None or url in self.status or url.startswith(NOT_FOLLOWED):
                        continue
                    shape = _shape(url)
                    if shape in self.shapes:
                        continue
                    if shape is not None:
                        self.shapes.add(shape)
                    page = self.expect(url, {200, 302}, found_on=base)
                    if page is not None and page.status_code == 200:
                        found.append((url, page))
            frontier = found


def _record_urls() -> dict[str, list[str]]:
    """The detail page of every record of every model that has one (``get_absolute_url``)."""
    urls: dict[str, list[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label in ("auth", "admin", "contenttypes", "sessions"):
            continue
        if hasattr(model, "get_absolute_url"):
            found = [urldefrag(row.get_absolute_url())[0] for row in model.objects.all()]
            if found:
                urls[model._meta.label] = sorted(set(found))
    return urls


def _walk_everyone(usernames: list[str]) -> dict[str, Visit]:
    visits = {}
    records = [url for urls in _record_urls().values() for url in urls]
    shapes: set = set()
    for username in usernames:
        visit = Visit(username, shapes)
        visit.crawl()
        # a record the person's lists do not show: its page, or a deliberate refusal
        for url in records:
            if url not in visit.status:
                visit.expect(url, {200, 302, 403, 404})
        visits[username] = visit
    return visits


def _assert_no_failures(visits: dict[str, Visit]) -> None:
    failures = [failure for visit in visits.values() for failure in visit.failures]
    assert not failures, f"{len(failures)} failing pages:\n" + "\n".join(failures[:40])


def test_the_demo_has_a_login_of_every_role(demo):
    roles = set(User.objects.filter(username__in=demo).values_list("groups__name", flat=True))
    assert {
        "hotline_agent",
        "interface_person",
        "department_leader",
        "working_group",
        "assessment_committee",
        "leadership_group",
        "admin",
    } <= roles


def test_every_login_opens_every_page_it_is_shown(demo):
    visits = _walk_everyone(demo)
    _assert_no_failures(visits)

    # the manager sees everything: every record's page is among the pages the lists lead to,
    # and answers 200
    manager = visits["manager"]
    for label, urls in _record_urls().items():
        for url in urls:
            assert manager.status.get(url) == 200, (label, url, manager.status.get(url))
    exports = [url for url in manager.status if urlsplit(url).path.endswith(EXPORTS)]
    assert any(url.endswith(".xlsx") for url in exports), exports
    assert any(url.endswith(".pdf") for url in exports), exports
    # a department's interface person and the hotline see their own pages, not the managers'
    assert visits["hotline1"].status["/complaints/console/"] == 200
    assert visits["admin"].status["/admin/"] == 200
    assert "/admin/" not in visits["net_contact"].status


def test_exports_are_files(demo):
    visit = Visit("manager")
    visit.crawl()
    exports = [url for url in visit.status if urlsplit(url).path.endswith(EXPORTS)]
    assert exports
    for url in exports:
        response = visit.client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".pdf"):
            assert body.startswith(b"%PDF"), url
        elif url.endswith(".xlsx"):
            assert body.startswith(b"PK"), url  # a zip, as every XLSX is


def test_half_an_hour_on_only_acknowledgments_are_missed_and_the_pages_say_why(
    demo, clock, django_capture_on_commit_callbacks
):
    """`make run`, half an hour after the demo loaded: every alert the demo left unacknowledged
    has missed its 30-minute limit, and the violations page stays empty — rightly, for the
    regulations price no missed acknowledgment (the catalogue has no rule triggered by it; the
    breach escalates to the leader, then the working-group head). The pages say so."""
    # the acknowledgments still awaited (those of a closed incident were stopped)
    unacknowledged = Deadline.objects.filter(
        kind="alert-acknowledge",
        state=DeadlineState.PENDING,
        object_id__in=AlertRecipient.objects.filter(acknowledged_at__isnull=True).values("pk"),
    ).count()
    with time_machine.travel(clock + timedelta(minutes=35), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            done = deadlines_sweep()
        breached = Deadline.objects.filter(state=DeadlineState.BREACHED)
        assert set(breached.values_list("kind", flat=True)) == {"alert-acknowledge"}
        assert done["breached"] == unacknowledged > 0
        assert "alert-acknowledge" not in penalty_rules_by_deadline_kind()
        assert not Violation.objects.exists()
        # escalated: a second limit runs, the leaders are told
        assert Deadline.objects.filter(kind="alert-acknowledge-escalated").count() == unacknowledged

        client = Client()
        client.force_login(User.objects.get(username="manager"))
        page = client.get("/accountability/violations/").content.decode()
        row = page[page.index('<tr data-kind="alert-acknowledge">') :].split("</tr>")[0]
        assert "不考核" in row and f"<td>{unacknowledged}</td>" in row
        assert f"有 {unacknowledged} 项超时不考核" in page
        publish = page[page.index('<tr data-kind="incident-publish">') :].split("</tr>")[0]
        assert 'class="badge penalty"' in publish and "¥50" in publish
        # "my deadlines" and the record's panel mark the deadlines whose breach is assessed
        net_contact = User.objects.get(username="net_contact")
        client.force_login(net_contact)
        mine = client.get("/incidents/deadlines/").content.decode()
        assert (
            mine.count('class="badge penalty"')
            == Deadline.objects.filter(
                Q(responsible_department=net_contact.profile.department)
                | Q(responsible_person=net_contact),
                state=DeadlineState.PENDING,
                kind__in=list(penalty_rules_by_deadline_kind()),
            ).count()
            > 0
        )
        incident = Incident.objects.filter(deadlines__kind="incident-explanation").first()
        assert "¥20" in client.get(incident.get_absolute_url()).content.decode()


def test_the_sweep_breaches_announces_and_proposes_violations(
    demo, clock, django_capture_on_commit_callbacks
):
    """A day later every deadline the demo left open has fallen due: the sweep breaches and
    announces each once, writes the incidents' timeline events, notifies who answers for it,
    and proposes a violation for each breach whose kind a catalogue rule is triggered by."""
    pending = list(Deadline.objects.filter(state=DeadlineState.PENDING, due_at__isnull=False))
    later = clock + timedelta(hours=25)
    falling_due = [d for d in pending if d.due_at <= later]
    assert falling_due
    penalised = penalty_rules_by_deadline_kind()

    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        done = deadlines_sweep()
        again = deadlines_sweep()

    assert done["breached"] >= len(falling_due)  # and what those breaches opened in turn
    assert done["announced"] == done["breached"]
    assert again["breached"] == 0 or again["announced"] == again["breached"]
    breached = Deadline.objects.filter(state=DeadlineState.BREACHED)
    assert not breached.filter(announced_at__isnull=True).exists()
    kinds = Counter(breached.values_list("kind", flat=True))
    assert kinds["alert-acknowledge"] > 0  # the demo's unacknowledged alerts
    assert kinds["incident-explanation"] > 0

    incident_type = ContentType.objects.get_for_model(Incident)
    for deadline in breached:
        key = f"deadline:{deadline.pk}"
        if deadline.content_type_id == incident_type.pk:
            assert TimelineEvent.objects.filter(
                incident_id=deadline.object_id,
                kind=TimelineEvent.Kind.DEADLINE,
                action=deadline.kind,
            ).exists(), key
        assert Notification.objects.filter(dedupe_key=f"{key}:breached").exists(), key
        proposed = set(
            Violation.objects.filter(evidence_key=key).values_list("rule__code", flat=True)
        )
        expected = {rule.code for rule in penalised.get(deadline.kind, [])}
        # an escalated complaint's breach adds its own rule (seed 003 第九条(二)14)
        assert expected <= proposed, (deadline.kind, expected, proposed)
        if not expected:
            assert not proposed - {"escalated-not-handled"}, (deadline.kind, proposed)
    assert (
        Violation.objects.filter(evidence_key__startswith="deadline:").count()
        == sum(len(penalised.get(kind, [])) * count for kind, count in kinds.items())
        + Violation.objects.filter(rule__code="escalated-not-handled").count()
    )

    # and every page still opens, now with breaches, escalations and violations in it
    visits = _walk_everyone(["manager", "net_contact", "cs_contact", "cc_contact", "hotline1"])
    _assert_no_failures(visits)
    violations = visits["manager"].client.get("/accountability/violations/")
    for violation in Violation.objects.all():
        assert violation.number in violations.content.decode()
