"""No page speaks in the program's own codes: every page of a login of every role, in Chinese
and in English, over the demo's records a day on (timelines with transitions, breaches,
escalations, confirmed violations), shows labels, never the values behind them.

The codes are read from the models, not kept here: every choice's value, every workflow's
transition names and states, every ``code`` of the rule data (departments, deadline
policies, penalty rules, thresholds, ...). A code counts when it stands as a whole word in
the text a person reads (attributes, form values and scripts are not read). In English no
Chinese shows either, except the data the demo's people wrote or are named by: people's,
places' and departments' names and what was typed into the records, read from the database.
"""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.utils import translation
from django_fsm import FSMField

from accountability.models import Violation
from accountability.services import violation_confirm
from alerts.models import Alert
from complaints.models import ComplaintEvent
from core.models import AppendOnlyEvent
from deadlines.services import deadlines_sweep
from incidents.models import TimelineEvent
from organisation.demo import seed_demo, seed_records
from tests.crawl import Visit, record_urls

pytestmark = pytest.mark.django_db

PINNED = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATER = PINNED + timedelta(hours=25)
OURS = (
    "core",
    "organisation",
    "notifications",
    "deadlines",
    "incidents",
    "complaints",
    "maintenance",
    "alerts",
    "accountability",
    "dashboards",
    "collaboration",
    "hq",
    "notices",
)
# A login of every role: the hotline, interface persons and leaders of a provincial department
# and of a branch, the working group and assessment committee, the leadership, the admin.
LOGINS = (
    "hotline1",
    "cs_contact",
    "net_contact",
    "net_leader",
    "cc_contact",
    "cc_leader",
    "mkt_contact",
    "manager",
    "exec",
    "admin",
)
LANGUAGES = ("zh-hans", "en")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# what is never a label: an evidence key ("manual:1796157403.15:2", "deadline:12"), a
# reference to a regulation by the number of its seed file
KEYS = re.compile(r"\b[a-z][a-z_-]*:\d[\w.:]*|\bseed \d{3}\b")
# a date and a time run together ("2026-12-0120:19")
RUN_TOGETHER = re.compile(r"\d{4}-\d{2}-\d{2}\d{2}:\d{2}")
# a date picker's value: ISO, whatever the page's language (else the picker shows nothing)
DATE_INPUT = re.compile(r"<input[^>]*type=\"date\"[^>]*>")
ISO_DAY = re.compile(r'value="(\d{4}-\d{2}-\d{2})?"')


@pytest.fixture
def world():
    """The demo's records a day on: limits breached, escalated, violations found and
    confirmed."""
    with time_machine.travel(PINNED, tick=True):
        seed_demo()
        seed_records()
    with time_machine.travel(LATER, tick=True):
        deadlines_sweep()
        assessor = User.objects.get(username="mkt_contact")
        for violation in Violation.objects.all():
            violation_confirm(violation_id=violation.pk, actor=assessor, reason="属实")
        _discussed()
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.TRANSITION).exists()
    assert Violation.objects.filter(state="confirmed").exists()
    assert ComplaintEvent.objects.filter(kind="transition").exists()


def _discussed() -> None:
    """A comment on the first record of each kind, one of them corrected."""
    from collaboration import records
    from collaboration.services import comment_create, comment_edit

    manager = User.objects.get(username="manager")
    for kind in records.kinds():
        record = kind.scope(manager).order_by("pk").first()
        if record is not None:
            comment = comment_create(
                record=record, author=manager, body="请核实影响范围，明早汇总。"
            )
    comment_edit(comment_id=comment.pk, actor=manager, body="请核实影响范围，今晚汇总。")


class Text(HTMLParser):
    """The text a person reads on a page: no attribute, script, style or form value."""

    UNREAD = {"script", "style", "textarea", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._unread = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.UNREAD:
            self._unread += 1

    def handle_endtag(self, tag):
        if tag in self.UNREAD and self._unread:
            self._unread -= 1

    def handle_data(self, data):
        if not self._unread:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _ours():
    return [model for model in apps.get_models() if model._meta.app_label in OURS]


def codes() -> set[str]:
    """Every value behind a label: choices, workflow transitions and states, rule data's
    codes."""
    found: set[str] = set()
    for model in _ours():
        for field in model._meta.concrete_fields:
            if field.choices:
                found |= {str(value) for value, _label in field.flatchoices if value}
            if isinstance(field, FSMField):
                for transition in field.get_all_transitions(model):
                    found.add(transition.name)
                    found |= {str(s) for s in (transition.source, transition.target) if s}
            if field.name == "kind" and not field.choices:
                found |= {str(v) for v in model.objects.values_list(field.name, flat=True) if v}
    for model in (TimelineEvent, ComplaintEvent):
        found |= set(model.objects.values_list("action", flat=True))
    return {code for code in found if len(code) > 1}


def rule_codes() -> set[str]:
    """The ``code`` of rule data: the admin, where that data is edited, shows it."""
    found: set[str] = set()
    for model in _ours():
        names = {field.name for field in model._meta.concrete_fields if not field.choices}
        if "code" in names:
            found |= set(model.objects.values_list("code", flat=True))
    return found


def prose(code: str) -> bool:
    """A code English writes as a word ("open", "closed", "red", "first-ask", "CS")."""
    return bool(re.fullmatch(r"[a-z]+(-[a-z]+)?|[A-Z]{1,2}", code))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def data() -> list[str]:
    """What people are named by and what they typed: the text of the records (names of
    people, places and departments, titles, descriptions, reasons, submissions), longest
    first, so a longer one is taken out before a part of it."""
    found: set[str] = set()
    for model in _ours():
        for field in model._meta.concrete_fields:
            typed = isinstance(field, models.CharField | models.TextField) and not field.choices
            if typed and field.name not in ("code", "kind", "action", "from_state", "to_state"):
                found |= set(model.objects.values_list(field.name, flat=True))
            elif isinstance(field, models.JSONField):
                for value in model.objects.values_list(field.name, flat=True):
                    strings = set(_strings(value))
                    if issubclass(model, AppendOnlyEvent):  # what was typed, not the codes
                        strings = {text for text in strings if CJK.search(text)}
                    found |= strings
    found |= set(User.objects.values_list("username", flat=True))
    # Django's own rows: groups are named by their code, permissions in English
    found |= set(Group.objects.values_list("name", flat=True))
    found |= set(Permission.objects.values_list("name", flat=True))
    found |= {str(content_type) for content_type in ContentType.objects.all()}
    found |= {content_type.name for content_type in ContentType.objects.all()}
    # the product's name beside its English one, and the language switch naming each
    # language in itself
    found |= {"烽火", "简体中文"}
    # the admin's own headings for screen readers, which Django has not translated
    found |= {"Model name", "Add link", "Change or view list link"}
    found |= set(User.objects.values_list("first_name", flat=True))
    found |= set(User.objects.values_list("last_name", flat=True))
    found = {text.strip() for text in found if text and text.strip()}
    # a number or a letter alone is no one's name, and would take numbers out of the text
    found = {text for text in found if len(text) > 1 and not re.fullmatch(r"[\d\W]+", text)}
    return sorted(found, key=len, reverse=True)


def without_data(text: str, known: list[str]) -> str:
    for item in known:
        if item in text:
            text = text.replace(item, " ⟦⟧ ")
    return text


def findings(text: str, language: str, pattern: re.Pattern, known: list[str]) -> list[str]:
    rest = without_data(text, known)
    found = set(pattern.findall(rest)) | set(KEYS.findall(rest)) | set(RUN_TOGETHER.findall(rest))
    if language == "en":
        found |= set(CJK.findall(rest))
    return sorted(found)


def words(code_list: set[str]) -> re.Pattern:
    """The codes, each as a whole word (not inside a longer word, a path or an address)."""
    alternatives = "|".join(map(re.escape, sorted(code_list, key=len, reverse=True)))
    return re.compile(r"(?<![\w./:#@-])(" + alternatives + r")(?![\w/@:-])")


def _context(text: str, item: str) -> str:
    at = text.find(item)
    return text[max(0, at - 40) : at + len(item) + 40] if at >= 0 else ""


def _admin_pages(visit: Visit) -> None:
    """The admin site's index, every list it offers and the first record of each."""
    from tests.crawl import Links, _internal

    index = visit.expect("/admin/", {200})
    parser = Links()
    parser.feed(index.content.decode())
    lists = sorted(
        {
            url
            for href in parser.content + parser.chrome
            if (url := _internal(href, "/admin/"))
            and url.startswith("/admin/")
            and url.count("/") == 4
            and not url.endswith("/add/")
        }
    )
    for url in lists:
        page = visit.expect(url, {200})
        if page is None or page.status_code != 200:
            continue
        rows = Links()
        rows.feed(page.content.decode())
        first = next(
            (
                href
                for href in rows.content
                if href.startswith(url) and href.endswith("/change/") and href != url
            ),
            None,
        )
        if first:
            visit.expect(first, {200})


@pytest.mark.pinned  # the world and the walk run on clocks of their own (PINNED, LATER)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_a_code_and_english_no_chinese_but_data(world, language):
    code_list = codes() | rule_codes()
    assert {"dispatch", "hand_over", "none", "yellow", "BR-CC", "level2"} <= code_list
    patterns = {
        # in Chinese every code stands out; English has words that are codes too
        ("zh-hans", False): words(code_list),
        ("en", False): words({code for code in code_list if not prose(code)}),
        # the admin edits the rule data, their codes included
        ("zh-hans", True): words(code_list - rule_codes()),
        ("en", True): words({code for code in code_list - rule_codes() if not prose(code)}),
    }
    known = data()
    records = [url for urls in record_urls().values() for url in urls]
    problems: dict[str, list[str]] = {}
    shapes: set = set()
    seen: set[str] = set()

    def read(url, response):
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith("text/html"):
            return
        if url in seen:
            return
        seen.add(url)
        html = response.content.decode()
        for date_input in DATE_INPUT.findall(html):
            if "value=" in date_input and not ISO_DAY.search(date_input):
                problems.setdefault(date_input, []).append(url)
        text = visible_text(html)
        pattern = patterns[language, url.startswith("/admin/")]
        for item in findings(text, language, pattern, known):
            problems.setdefault(item, []).append(
                f"{url}: …{_context(without_data(text, known), item)}…"
            )

    with time_machine.travel(LATER + timedelta(hours=1), tick=True):
        for username in LOGINS:
            visit = Visit(username, shapes, language=language, on_page=read)
            visit.crawl()
            for url in records:
                if url not in visit.status:
                    visit.get(url)
            if username == "admin":
                _admin_pages(visit)
            errors = [failure for failure in visit.failures if ", expected [" not in failure]
            assert not errors, errors[:5]  # a dead link is the every-page walk's to find
    assert len(seen) > 40, len(seen)

    report = [
        f"{item!r} on {len(where)} pages, e.g. {where[0]}"
        for item, where in sorted(problems.items())
    ]
    assert not report, f"{len(report)} codes or untranslated words shown:\n" + "\n".join(report)


def test_times_are_in_the_deployments_zone_and_date_pickers_hold_iso_days(world):
    """The alert's time of occurrence (kept as UTC text in its snapshot) reads in
    Asia/Shanghai, date and time apart; the supervision page's date pickers hold ISO days in
    Chinese as in English."""
    alert = Alert.objects.order_by("pk").first()
    occurred = datetime.fromisoformat(alert.content["occurred_at"])
    local = occurred.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")
    assert occurred.utcoffset() == timedelta(0) or local not in alert.content["occurred_at"]
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    for language in LANGUAGES:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = visible_text(client.get(alert.get_absolute_url()).content.decode())
        assert local in page, (language, local, page[:2000])
        assert not RUN_TOGETHER.search(page)
        with time_machine.travel(LATER, tick=False):
            supervision = client.get("/accountability/supervision/").content.decode()
        pickers = DATE_INPUT.findall(supervision)
        assert len(pickers) >= 2, supervision
        for picker in pickers:
            assert re.search(r'value="\d{4}-\d{2}-\d{2}"', picker), (language, picker)


def test_a_list_of_cities_is_joined_as_the_language_writes_it():
    from core.display import joined

    with translation.override("zh-hans"):
        assert joined(["长春", "吉林"]) == "长春、吉林"
    with translation.override("en"):
        assert joined(["Changchun", "Jilin City"]) == "Changchun, Jilin City"


def test_the_reader_sees_codes_and_chinese_and_ignores_data_and_attributes():
    """The checks themselves: a code in text is found, in an attribute or a form value it is
    not; Chinese in English is found unless it is data."""
    pattern = words({"hand_over", "BR-CC", "yellow"})
    html = (
        '<p title="hand_over">派单 → BR-CC <input value="yellow"></p>'
        "<textarea>yellow</textarea><script>var a = 'hand_over';</script>"
        "<li>none → yellow</li><span>manual:1796157403.15:2</span><p>王小明 处理中</p>"
    )
    text = visible_text(html)
    found = findings(text, "en", pattern, ["王小明"])
    assert found == ["BR-CC", "manual:1796157403.15:2", "yellow", "处理中", "派单"], found
    assert findings("BR-CCX yellowish", "zh-hans", pattern, []) == []
