"""The public status page in Chromium: the owning department approves a notice on the
incident page, and anyone without a sign-in sees it on /status/ in Chinese and, after the
switch, in English; once the incident is resolved the notice shows as resolved. The page
works on a phone's width and under the Content-Security-Policy (the suite's fixture)."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from incidents import services as incident_services
from incidents.demo import drive, interface_person
from notices import services
from organisation.demo import seed_demo
from organisation.models import City

from .test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE_ZH = "长春4G数据业务异常"
TITLE_EN = "4G data disruption in Changchun"


@pytest.fixture
def drafted():
    """A handled incident whose notice the CS department drafted (and wrote up in English)."""
    seed_demo()
    people = {user.username: user for user in User.objects.all()}
    incident = incident_services.incident_create(
        actor=people["cs_contact"],
        title="长春 4G 基站退服（内部）",
        business_line="network",
        source="business_risk",
        cities=[City.objects.get(code="CC")],
        occurred_at=timezone.now() - timezone.timedelta(minutes=30),
    )
    incident = drive(incident, people, "handling")
    owner = interface_person(incident.owning_department)
    incident_services.incident_submit(
        incident_id=incident.pk, actor=owner, kind="explanation", content={"text": "光缆中断"}
    )
    notice = services.notice_draft(incident_id=incident.pk, actor=people["cs_contact"])
    services.notice_edit(
        notice_id=notice.pk,
        actor=people["cs_contact"],
        title_zh=TITLE_ZH,
        title_en=TITLE_EN,
        text_zh="因光缆中断，部分地区4G数据业务异常，正在抢修。",
        text_en="A fibre cut disrupts 4G data; repairs are under way.",
        next_update_at=timezone.now() + timezone.timedelta(hours=1),
    )
    return incident, owner, people


def test_an_approved_notice_is_public_in_both_languages_then_resolved(
    page: Page, browser: Browser, live_server, drafted
):
    incident, owner, people = drafted
    visitor = browser.new_page(viewport={"width": 390, "height": 844})  # a phone, signed out
    visitor.goto(f"{live_server.url}/status/")
    expect(visitor.get_by_test_id("all-ok")).to_be_visible()
    expect(visitor.get_by_text(TITLE_ZH)).to_have_count(0)  # a draft is not public

    sign_in(page, live_server, owner.username)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.locator('button[data-action="notice-approve"]').click()
    expect(page.get_by_test_id("notice-state")).to_be_visible()

    visitor.reload()
    notice = visitor.get_by_test_id("notice")
    expect(notice).to_have_attribute("data-state", "ongoing")
    expect(notice).to_contain_text(TITLE_ZH)
    expect(notice).to_contain_text("长春")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    visitor.get_by_test_id("lang-en").click()
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.get_by_test_id("notice")).to_contain_text(TITLE_EN)
    expect(visitor.get_by_test_id("notice")).to_contain_text("Changchun")
    assert "长春 4G 基站退服" not in visitor.content()  # the internal title never

    drive(incident, people, "resolved")
    visitor.reload()
    resolved = visitor.get_by_test_id("notice")
    expect(resolved).to_have_attribute("data-state", "resolved")
    expect(resolved).to_contain_text("Resolved")
    expect(visitor.get_by_test_id("all-ok")).to_be_visible()
    visitor.get_by_test_id("lang-zh-hans").click()
    expect(visitor.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(visitor.get_by_test_id("notice")).to_have_attribute("data-state", "resolved")
    visitor.close()
