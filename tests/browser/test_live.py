"""Live updates in two browsers, served as in production (uvicorn, ASGI): what one person
does appears on the other's open pages within two seconds, without a reload."""

import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from incidents import services as incidents
from organisation.demo import DEMO_PASSWORD, seed_demo
from organisation.models import City

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


@pytest.fixture
def classified():
    """A classified incident of the network line, waiting to be published."""
    seed_demo()
    return incidents.incident_create(
        actor=User.objects.get(username="cs_contact"),
        title="长春地区4G数据业务中断",
        business_line="network",
        source="business_risk",
        occurred_at=timezone.now(),
        cities=list(City.objects.filter(code="CC")),
    )


def test_a_published_alert_appears_in_the_recipients_inbox_and_bell(
    page: Page, browser: Browser, asgi_server, classified
):
    # the network department's interface person has turned desktop notifications on and the
    # inbox open (what the browser shows is recorded as it is shown)
    recipient = browser.new_context(locale="zh-CN", permissions=["notifications"])
    recipient.add_init_script(
        "window.shown = [];"
        "window.Notification = class extends window.Notification {"
        "  constructor(title, options) { super(title, options); window.shown.push(title); } };"
    )
    inbox = recipient.new_page()
    sign_in(inbox, asgi_server.url, "net_contact")
    inbox.goto(f"{asgi_server.url}/notifications/preferences/")
    inbox.get_by_role("button", name="在此浏览器中开启").click()
    expect(inbox.get_by_role("button", name="在此浏览器中关闭")).to_be_visible()
    inbox.goto(f"{asgi_server.url}/alerts/")
    expect(inbox.locator(f'tr[data-incident="{classified.number}"]')).to_have_count(0)
    expect(inbox.get_by_test_id("bell").locator(".count")).to_have_count(0)
    inbox.wait_for_timeout(500)  # its stream is open

    # the CS department publishes the incident in another browser
    sign_in(page, asgi_server.url, "cs_contact")
    page.goto(f"{asgi_server.url}{classified.get_absolute_url()}")
    page.locator('button[data-action="publish"]').click()
    expect(page.locator(".pagehead .badge.state")).to_have_text("已派发")

    # within two seconds, without a reload: the inbox row, the bell's count, the title
    row = inbox.locator(f'tr[data-incident="{classified.number}"]')
    expect(row).to_be_visible(timeout=2000)
    expect(row.get_by_role("button")).to_be_visible()  # acknowledge, at once
    expect(inbox.get_by_test_id("bell").locator(".count")).to_have_text("1", timeout=2000)
    expect(inbox).to_have_title(re.compile(r"^\(1\) "))
    shown = inbox.evaluate("window.shown")
    assert len(shown) == 1 and classified.number in shown[0]

    # the owner's acknowledgment takes the incident on: the publisher's page follows
    with inbox.expect_navigation():  # the acknowledgment is made (and committed)
        row.get_by_role("button").click()
    expect(page.locator(".pagehead .badge.state")).to_have_text("处理中", timeout=2000)
    recipient.close()
