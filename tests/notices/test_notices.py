"""Public notices: drafted from the explanation script, public only once the owning
department approves; updates; resolved when the incident is; the status page and its feed
in Chinese and English, without a sign-in and without anything internal."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from core.errors import Conflict
from incidents.demo import drive
from notices import services
from notices.models import NoticeState, VersionState
from tests.notices.conftest import EXPLANATION

pytestmark = pytest.mark.django_db


def public(path="/status/", language=None):
    client = Client()
    if language:
        client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response


def feed() -> dict:
    response = public("/status/feed.json")
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_a_draft_is_taken_from_the_explanation_script_and_never_public(handling, owner):
    notice = services.notice_draft(incident_id=handling.pk, actor=owner)
    draft = notice.versions.get()
    assert draft.state == VersionState.DRAFT and draft.text_zh == EXPLANATION
    assert list(notice.cities.values_list("code", flat=True)) == ["CC"]
    page = public().content.decode()
    assert EXPLANATION not in page and 'data-testid="all-ok"' in page
    assert feed()["notices"] == []
    assert Client().get(notice.public_url).status_code == 404


def test_no_draft_without_an_explanation_script(demo, make_incident):
    incident = drive(make_incident(), demo, "handling")
    from incidents.demo import interface_person

    with pytest.raises(Conflict):
        services.notice_draft(
            incident_id=incident.pk, actor=interface_person(incident.owning_department)
        )


def test_only_the_owning_department_approves(handling, owner, demo):
    notice = services.notice_draft(incident_id=handling.pk, actor=demo["cs_contact"])
    for outsider in ("cs_contact", "mkt_contact", "manager"):
        with pytest.raises(PermissionDenied):
            services.notice_approve(notice_id=notice.pk, actor=demo[outsider])
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT
    services.notice_approve(notice_id=notice.pk, actor=owner)
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    with pytest.raises(Conflict):  # nothing waits for approval now
        services.notice_approve(notice_id=notice.pk, actor=owner)


def test_the_api_refuses_approval_to_others_with_403(handling, owner, demo):
    client = Client()
    client.force_login(demo["cs_contact"])
    created = client.post("/api/v1/notices/", {"incident": handling.pk}, "application/json")
    assert created.status_code == 201, created.content
    notice_id = created.json()["id"]
    assert client.post(f"/api/v1/notices/{notice_id}/approve/").status_code == 403
    client.force_login(owner)
    answer = client.post(f"/api/v1/notices/{notice_id}/approve/")
    assert answer.status_code == 200 and answer.json()["state"] == "published"
    again = client.post(f"/api/v1/notices/{notice_id}/approve/")
    assert again.status_code == 409
    edit = client.post(
        f"/api/v1/notices/{notice_id}/edit/",
        {"title_zh": "", "text_zh": "x", "next_update_at": "2000-01-01T00:00:00+08:00"},
        "application/json",
    )
    assert edit.status_code == 400
    fields = {error["attr"] for error in edit.json()["errors"]}
    assert "title_zh" in fields


def test_an_outsider_cannot_see_or_draft_the_notice(handling, demo):
    client = Client()
    client.force_login(demo["bc_contact"])
    assert client.post(f"/notices/incident/{handling.pk}/draft/").status_code == 404
    created = client.post("/api/v1/notices/", {"incident": handling.pk}, "application/json")
    assert created.status_code == 400
    assert not handling.__class__.objects.get(pk=handling.pk).__dict__.get("public_notice")


def test_approved_notice_is_public_in_chinese_and_english(published):
    zh = public(language="zh-hans").content.decode()
    assert "长春4G数据业务异常" in zh and EXPLANATION in zh and "长春" in zh
    assert '<html lang="zh-hans">' in zh
    en = public(language="en").content.decode()
    assert "4G data disruption in Changchun" in en and "Changchun" in en
    assert "Next update by" in en and "Ongoing" in en
    detail = public(published.public_url, language="en").content.decode()
    assert "repairs are under way" in detail


def test_english_falls_back_to_chinese(handling, owner):
    notice = services.notice_draft(incident_id=handling.pk, actor=owner)
    services.notice_edit(
        notice_id=notice.pk,
        actor=owner,
        title_zh="仅中文标题",
        text_zh="仅中文正文",
        next_update_at=timezone.now() + timedelta(hours=2),
    )
    services.notice_approve(notice_id=notice.pk, actor=owner)
    en = public(language="en").content.decode()
    assert "仅中文标题" in en and "仅中文正文" in en
    item = feed()["notices"][0]
    assert item["title"] == {"zh": "仅中文标题", "en": "仅中文标题"}


def test_an_update_is_public_only_once_approved(published, owner):
    later = timezone.now() + timedelta(hours=3)
    services.notice_edit(
        notice_id=published.pk,
        actor=owner,
        title_zh="长春4G数据业务逐步恢复",
        text_zh="抢修进展顺利。",
        next_update_at=later,
    )
    page = public().content.decode()
    assert "抢修进展顺利" not in page and "长春4G数据业务异常" in page
    services.notice_approve(notice_id=published.pk, actor=owner)
    page = public().content.decode()
    assert "抢修进展顺利" in page
    item = feed()["notices"][0]
    assert item["next_update_by"] == timezone.localtime(later).isoformat()
    assert [u["title"]["zh"] for u in item["updates"]] == [
        "长春4G数据业务逐步恢复",
        "长春4G数据业务异常",
    ]


def test_the_incident_resolved_resolves_the_notice(published, demo):
    drive(published.incident, demo, "resolved")
    published.refresh_from_db()
    assert published.state == NoticeState.RESOLVED and published.resolved_at
    final = published.versions.order_by("-sequence").first()
    assert final.kind == "resolution" and final.state == VersionState.APPROVED
    zh = public(language="zh-hans").content.decode()
    assert 'data-state="resolved"' in zh and 'data-testid="all-ok"' in zh
    en = public(language="en").content.decode()
    assert "Service restored" in en and "Resolved" in en
    item = feed()["notices"][0]
    assert item["status"] == "resolved" and item["next_update_by"] is None
    assert item["title"]["en"] == "Service restored"


def test_resolved_notices_drop_off_after_the_period(published, owner, settings):
    services.notice_resolve(notice_id=published.pk, actor=owner)
    assert len(feed()["notices"]) == 1
    settings.STATUS_RESOLVED_DAYS = 0
    assert feed()["notices"] == []
    assert public(published.public_url).status_code == 200  # its own page stays


def test_the_feed_and_page_leak_nothing_internal(published, owner, demo):
    # a draft update waits with a secret text
    services.notice_edit(
        notice_id=published.pk,
        actor=owner,
        title_zh="内部草稿标题",
        text_zh="内部草稿：仅供审核",
        next_update_at=timezone.now() + timedelta(hours=2),
    )
    incident = published.incident
    secrets = {
        incident.number,
        incident.title,
        "内部草稿",
        owner.username,
        owner.profile.full_name,
        incident.owning_department.name_zh,
        incident.owning_department.name_en,
        demo["cs_contact"].username,
    }
    body = public("/status/feed.json").content.decode()
    document = json.loads(body)
    for text in (body, public().content.decode(), public(published.public_url).content.decode()):
        shown = [secret for secret in secrets if secret and secret in text]
        assert not shown, shown
    item = document["notices"][0]
    assert set(item) == {
        "id", "url", "status", "title", "text", "service", "cities", "since", "published_at",
        "updated_at", "next_update_by", "resolved_at", "updates",
    }  # fmt: skip
    assert item["status"] == "ongoing" and item["id"] == str(published.public_id)
    assert item["cities"] == [{"code": "CC", "name": {"zh": "长春", "en": "Changchun"}}]
    assert item["service"]["code"] == "network"


def test_the_status_pages_need_no_sign_in_and_set_no_cookie(published):
    for path in ("/status/", "/status/feed.json", published.public_url):
        response = Client().get(path)
        assert response.status_code == 200
        assert not response.cookies, (path, response.cookies)  # no session, no CSRF cookie
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
    page = Client().get("/status/").content.decode()
    assert "<script" not in page and "style=" not in page


def test_the_language_switch_of_the_status_page(published):
    client = Client()
    switched = client.get("/status/language/en/?next=/status/")
    assert switched.status_code == 302 and switched["Location"] == "/status/"
    assert "4G data disruption in Changchun" in client.get("/status/").content.decode()
    elsewhere = client.get("/status/language/en/?next=https://evil.example/")
    assert elsewhere["Location"] == "/status/"
    assert client.get("/status/language/xx/").status_code == 404


def test_the_incident_page_shows_the_notice_panel(published, owner):
    client = Client()
    client.force_login(owner)
    page = client.get(f"/incidents/{published.incident_id}/").content.decode()
    assert 'id="public-notice"' in page and "长春4G数据业务异常" in page
    assert 'id="sms-broadcast"' in page


def test_the_panel_drafts_edits_and_approves(handling, owner):
    client = Client()
    client.force_login(owner)
    assert client.post(f"/notices/incident/{handling.pk}/draft/").status_code == 302
    notice = handling.public_notice
    when = timezone.localtime(timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/notices/{notice.pk}/edit/",
        {
            "notice-title_zh": "网页标题",
            "notice-text_zh": "网页正文",
            "notice-next_update_at": when,
        },
    )
    assert response.status_code == 302
    assert client.post(f"/notices/{notice.pk}/approve/").status_code == 302
    assert "网页正文" in public().content.decode()
