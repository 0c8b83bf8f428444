"""A complaint taken at the hotline console with the keyboard only, followed to archive."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Complaint
from incidents import services
from organisation.demo import DEMO_PASSWORD, seed_demo
from organisation.models import City

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    # the page autofocuses the field; Chromium skips autofocus now and then on a page opened
    # right after another, and signing in is not what this test is about
    page.locator("#id_username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


def outage_in_changchun():
    """The incident a caller's complaint is linked to: a data outage in Changchun, reported
    by the CS department."""
    from django.contrib.auth.models import User

    return services.incident_create(
        actor=User.objects.get(username="cs_contact"),
        title="长春地区4G数据业务中断",
        description="朝阳区多个基站退服，用户上网慢",
        business_line="network",
        source="business_risk",
        occurred_at=timezone.now(),
        cities=[City.objects.get(code="CC")],
    )


def choose(page: Page, select_id: str, label: str) -> None:
    """Pick an option of the focused <select> with the arrow keys, as a keyboard user does."""
    labels = page.eval_on_selector(f"#{select_id}", "s => [...s.options].map(o => o.text)")
    current = page.eval_on_selector(f"#{select_id}", "s => s.selectedIndex")
    steps = labels.index(label) - current
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(page.locator(f"#{select_id}")).to_have_js_property("selectedIndex", labels.index(label))


def test_a_hotline_call_taken_by_keyboard_and_followed_to_archive(page: Page, live_server):
    seed_demo()

    incident = outage_in_changchun()

    sign_in(page, live_server, "hotline1")
    page.goto(f"{live_server.url}/complaints/console/")
    expect(page.locator("#id_customer_phone")).to_be_focused()
    keys = page.keyboard
    keys.type("13812345678")
    keys.press("Tab")
    keys.type("王先生")
    keys.press("Tab")
    keys.type("0431-88886666")
    keys.press("Tab")
    choose(page, "id_city", "长春")
    keys.press("Tab")
    keys.type("长春市朝阳区人民大街100号")
    keys.press("Tab")
    choose(page, "id_business_line", "网络质量")
    keys.press("Tab")
    keys.type("长春4G上网很慢")
    keys.press("Tab")
    keys.type("近三天晚上4G上网很慢，网页打不开。")
    # the open incident that looks like this is suggested; Alt+1 links it
    expect(page.get_by_test_id("similar")).to_contain_text(incident.number)
    keys.press("Alt+1")
    expect(page.locator("#linked-number")).to_have_text(incident.number)
    # linked: the call goes to the incident's owning department, which is not asked for
    expect(page.get_by_test_id("linked-owner")).to_have_text("网络部")
    expect(page.locator("#id_department")).to_be_hidden()
    keys.press("Tab")  # severity: general
    keys.press("Tab")  # escalation: none
    keys.press("Tab")  # VIP: no
    keys.press("Tab")  # outcome: dispatch (the checked radio)
    keys.press("Control+Enter")
    expect(page.get_by_test_id("last")).to_contain_text("已派发")

    complaint = Complaint.objects.get()
    assert (complaint.incident, complaint.department.code) == (incident, "NET")
    url = f"{live_server.url}/complaints/{complaint.pk}/"

    # the network department hands it over, contacts the customer and replies
    sign_in(page, live_server, "net_contact")
    page.goto(url)

    def act(name, fill=None, choose_label=None):
        panel = page.locator(f'details[data-action="{name}"]')
        panel.locator("summary").click()
        if choose_label:
            panel.get_by_label(choose_label[0]).select_option(label=choose_label[1])
        for label, value in (fill or {}).items():
            panel.get_by_label(label).fill(value)
        panel.locator('button[type="submit"]').click()

    act(
        "hand_over",
        choose_label=(
            "首问责任人",
            complaint.department.members.get(user__username="net_contact").full_name,
        ),
    )
    expect(page.get_by_test_id("complaint-state")).to_have_text("已转交首问责任人")
    act("contact")
    expect(page.get_by_test_id("complaint-state")).to_have_text("已联系客户")
    act("reply", {"原因及处理结果": "基站恢复，网速正常"})
    expect(page.get_by_test_id("complaint-state")).to_have_text("已回复")

    # the hotline calls the customer back: satisfied, archived
    sign_in(page, live_server, "hotline1")
    page.goto(url)
    panel = page.locator('details[data-action="callback"]')
    panel.locator("summary").click()
    panel.get_by_label("满意", exact=True).check()
    panel.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("complaint-state")).to_have_text("已归档")


def test_the_console_keeps_its_context_after_an_error_and_checks_a_field_as_it_is_left(
    page: Page, live_server
):
    seed_demo()
    from django.contrib.auth.models import User

    from complaints import services as complaints

    incident = outage_in_changchun()
    earlier = complaints.complaint_create(
        actor=User.objects.get(username="hotline2"),
        channel="hotline",
        customer_name="王先生",
        customer_phone="13812345678",
        customer_account="0431-88886666",
        city=City.objects.get(code="CC"),
        address="长春市朝阳区人民大街100号",
        business_line="network",
        summary="上月宽带断网",
        description="上月宽带断网两天。",
    )

    sign_in(page, live_server, "hotline1")
    page.goto(f"{live_server.url}/complaints/console/")
    keys = page.keyboard
    phone = page.locator("#id_customer_phone")
    expect(phone).to_be_focused()
    # a phone number that is no number: said as soon as the field is left
    keys.type("138-abc")
    keys.press("Tab")
    expect(page.locator("#id_customer_phone_errors")).to_contain_text("请填写数字电话号码")
    expect(page.locator(".field.has-error #id_customer_phone")).to_be_visible()
    phone.focus()
    keys.press("Control+A")
    keys.type("13812345678")
    keys.press("Tab")
    expect(page.locator("#id_customer_phone_errors")).to_be_empty()
    expect(page.get_by_test_id("history")).to_contain_text(earlier.number)

    # the customer's name is left out; the rest filled, an incident linked
    page.locator("#id_customer_account").fill("0431-88886666")
    page.locator("#id_address").fill("长春市朝阳区人民大街100号")
    page.locator("#id_city").select_option(label="长春")
    page.locator("#id_business_line").select_option(label="网络质量")
    page.locator("#id_summary").focus()
    keys.type("长春4G上网很慢")
    page.locator("#id_description").focus()
    keys.type("近三天晚上4G上网很慢，网页打不开。")
    expect(page.get_by_test_id("similar")).to_contain_text(incident.number)
    keys.press("Alt+1")
    expect(page.locator("#linked-number")).to_have_text(incident.number)
    keys.press("Control+Enter")

    # the error, and beside it what the console showed before (the submission re-renders the
    # page: on a loaded machine that takes longer than an expectation's usual 5 s)
    expect(page.locator("#id_customer_name_errors")).not_to_be_empty(timeout=20_000)
    expect(page.get_by_test_id("similar")).to_contain_text(incident.number)
    expect(page.get_by_test_id("history")).to_contain_text(earlier.number)
    expect(page.get_by_test_id("linked-note")).to_be_visible()
    expect(page.locator("#linked-number")).to_have_text(incident.number)
    expect(page.locator("#similar li.linked")).to_have_attribute("data-incident", str(incident.pk))
    expect(page.locator("#id_department")).to_be_hidden()
    page.locator("#id_customer_name").fill("王先生")
    keys.press("Control+Enter")
    expect(page.get_by_test_id("last")).to_contain_text("已派发")
    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    assert (complaint.incident, complaint.department.code) == (incident, "NET")
