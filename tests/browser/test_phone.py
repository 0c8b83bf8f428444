"""A responder on the phone (375 × 812, the size of a common phone): the pages they work from
fit the screen without sideways scrolling, their controls are tap targets of 44 px or more,
the top menu folds behind a button, and the incident page shows what to do before its
history."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from alerts.models import AlertRecipient
from complaints import services as complaint_services
from incidents import services
from organisation.demo import seed_demo
from organisation.models import City, Department

from .test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
TAP = 44  # px: the smallest tap target (WCAG 2.5.5, Apple's and Material's guidance)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def records():
    """An outage of the network department published to its interface person (and the other
    departments of its alert), and a complaint dispatched to that department."""
    seed_demo()
    people = {user.username: user for user in User.objects.select_related("profile__department")}
    incident = services.incident_create(
        actor=people["cs_contact"],
        title="长春、吉林、四平 4G 数据业务中断，大量客户无法上网",
        business_line="network",
        source="business_risk",
        cities=list(City.objects.filter(code__in=("CC", "JL", "SP"))),
        customers_affected=30000,
        occurred_at=timezone.now() - timedelta(minutes=40),
    )
    services.incident_publish(incident_id=incident.pk, actor=people["cs_contact"])
    complaint = complaint_services.complaint_create(
        actor=people["hotline1"],
        channel="hotline",
        customer_name="李女士",
        customer_phone="13900001111",
        customer_account="0431-88000001",
        city=City.objects.get(code="JL"),
        address="吉林市船营区解放大路 100 号",
        business_line="network",
        summary="宽带下午起一直掉线",
        description="宽带下午起一直掉线，重启光猫也不行，请尽快处理。",
    )
    complaint_services.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=people["hotline1"],
        department=Department.objects.get(code="NET"),
    )
    return {"incident": incident, "complaint": complaint, "people": people}


def fits(page: Page) -> None:
    """No sideways scrolling, and every visible control of the page is a tap target."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"
    small = page.evaluate(
        """(tap) => Array.from(document.querySelectorAll(
            'main button, main select, main textarea, main summary, .pagehead a, .pager a,'
            + ' main input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
            + ' .topbar button, .topbar .bell'))
          .map((e) => [e, e.getBoundingClientRect()])
          .filter(([e, r]) => r.width > 0 && r.height > 0 && r.height < tap - 0.5)
          .map(([e, r]) => `${e.tagName} "${(e.textContent || e.name).trim()}" ${r.height}px`)""",
        TAP,
    )
    assert small == [], f"{page.url}: controls smaller than {TAP} px: {small}"


def test_the_responders_pages_fit_a_phone(page: Page, live_server, records):
    incident, complaint = records["incident"], records["complaint"]
    alert = incident.alerts.get()
    sign_in(page, live_server, "net_contact")
    for path in (
        "/alerts/",
        f"/alerts/{alert.pk}/",
        f"/incidents/{incident.pk}/",
        "/incidents/deadlines/",
        f"/complaints/{complaint.pk}/",
        "/notifications/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        fits(page)
    # the incident's action forms, opened, fit too
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    for summary in page.locator("details.action summary").all():
        summary.click()
    fits(page)


def test_the_inbox_acknowledge_button_is_whole_and_acknowledges(page: Page, live_server, records):
    sign_in(page, live_server, "net_contact")
    page.goto(f"{live_server.url}/alerts/")
    button = page.locator('button[data-action="acknowledge"]').first
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= TAP
    # its label on one line, nothing cut: not the one-character-a-line column of a squeezed table
    assert button.evaluate("b => b.scrollWidth <= b.clientWidth")
    line = button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    assert box["height"] < 2 * line + 24
    button.click()
    expect(page.locator('button[data-action="acknowledge"]')).to_have_count(0)
    assert AlertRecipient.objects.get(
        incident=records["incident"], user=records["people"]["net_contact"]
    ).acknowledged_at


def test_the_menu_folds_behind_a_button_that_the_keyboard_opens(page: Page, live_server, records):
    sign_in(page, live_server, "net_contact")
    page.goto(f"{live_server.url}/alerts/")
    menu = page.locator("#mainnav")
    toggle = page.get_by_test_id("menu-toggle")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="退出")).to_be_hidden()
    expect(page.get_by_test_id("bell")).to_be_visible()  # the bell stays in sight
    header = page.locator(".topbar").bounding_box()
    assert header is not None and header["height"] <= 64  # one row, not three
    fits(page)

    toggle.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    entry = menu.get_by_role("link", name="我的时限")
    expect(entry).to_be_visible()
    assert entry.bounding_box()["height"] >= TAP
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(menu).to_be_visible()
    entry.click()
    page.wait_for_url("**/incidents/deadlines/")
    expect(page.locator("#mainnav")).to_be_hidden()  # folded again on the next page

    page.set_viewport_size({"width": 1280, "height": 800})  # a desktop: no button, all shown
    expect(page.locator("#mainnav")).to_be_visible()
    expect(page.get_by_test_id("menu-toggle")).to_be_hidden()


def test_the_incident_page_puts_deadlines_and_actions_before_the_timeline(
    page: Page, live_server, records
):
    incident = records["incident"]
    sign_in(page, live_server, "net_contact")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    state = page.locator(".pagehead .badge.state").bounding_box()
    deadlines = page.locator("#deadlines").bounding_box()
    actions = page.locator("section.actions").bounding_box()
    timeline = page.locator("#timeline").bounding_box()
    assert state["y"] < deadlines["y"] < actions["y"] < timeline["y"]
    # what they can do is on the first screens, not after the whole history
    assert (
        page.locator('button[data-action="acknowledge"]').bounding_box()["y"] < 2 * PHONE["height"]
    )

    page.set_viewport_size({"width": 1280, "height": 800})  # a desktop: beside the main column
    deadlines = page.locator("#deadlines").bounding_box()
    main = page.locator(".detail-main").bounding_box()
    assert deadlines["x"] > main["x"] + main["width"] - 1 and deadlines["y"] < 400
