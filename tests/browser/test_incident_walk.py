"""One incident from creation to `closed` in the browser, each step by the role that owns it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from organisation.demo import DEMO_PASSWORD, seed_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


def act(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    """Open the action's form (if it has one), fill it and submit."""
    if fields is None:
        page.locator(f'button[data-action="{action}"]').click()
        return
    panel = page.locator(f'details[data-action="{action}"]')
    panel.locator("summary").click()
    for label, value in fields.items():
        field = panel.get_by_label(label)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    panel.locator('button[type="submit"]').click()


def expect_state(page: Page, label: str) -> None:
    expect(page.locator(".pagehead .badge.state")).to_have_text(label)


def test_an_incident_from_report_to_closed(page: Page, live_server):
    seed_demo()

    # The customer-service department reports a three-city outage ...
    sign_in(page, live_server, "cs_contact")
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_label("标题").fill("吉林、四平、辽源三地 4G 数据业务中断")
    page.get_by_label("业务线条").select_option("network")
    page.get_by_label("信息来源").select_option("business_risk")
    for city in ("吉林", "四平", "辽源"):
        page.get_by_label(city).check()
    page.get_by_label("影响客户数").fill("12000")
    page.get_by_role("button", name="创建").click()
    # ... which the matrix makes orange at once: three cities (表-1)
    expect(page.locator("h1 .badge")).to_have_text("橙色")
    expect_state(page, "已定级")
    detail_url = page.url
    assert re.search(r"/incidents/\d+/$", detail_url)

    # ... and publishes it to the owning department.
    act(page, "publish")
    expect_state(page, "已派发")

    # The network department's interface person takes it on and does the owner's part.
    sign_in(page, live_server, "net_contact")
    page.goto(detail_url)
    act(page, "acknowledge")
    expect_state(page, "处理中")
    act(page, "submit_explanation", {"内容": "传输干线中断，正在抢修，预计两小时内恢复。"})
    act(
        page,
        "submit_root_cause",
        {
            "问题原因": "干线光缆被施工挖断",
            "根因类别": "传输线路中断",
            "投诉处理方案": "逐一回访并减免当日流量费",
        },
    )
    act(page, "report_leadership", {"内容": "已向主管领导及领导组汇报处置进展。"})
    expect(page.locator("#submissions")).to_contain_text("干线光缆被施工挖断")
    # a restoration time before the incident began is refused, naming the field ...
    act(
        page,
        "resolve",
        {"恢复时间": "2026-01-01T00:00", "原因及处理结果": "熔接光缆，业务全部恢复"},
    )
    expect(page.locator('details[data-action="resolve"] .error')).to_contain_text("不能早于")
    # ... the form stays open with what was typed, and the right time resolves it
    panel = page.locator('details[data-action="resolve"]')
    panel.get_by_label("恢复时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    panel.locator('button[type="submit"]').click()
    expect_state(page, "已解决")
    act(page, "start_improvement")
    expect_state(page, "整改中")

    # Improvement: an orange event needs its summary report with the meeting, at least one
    # measure verified, and the special bulletin before it may close.
    act(
        page,
        "report_summary",
        {
            "原因": "施工单位未报备即开挖，干线光缆无备份路由",
            "处理过程": "抢修队熔接光缆，客服逐一回访",
            "处理结果": "业务全部恢复",
            "经验教训": "重要干线须具备双路由",
            "会议日期": timezone.localdate().isoformat(),
            "参会人员": "网络部、客户服务部、市场经营部",
            "会议结论": "三个月内完成干线双路由改造",
        },
    )
    act(page, "add_action_item", {"整改措施": "吉林至四平干线双路由改造"})
    item = page.locator("#action-items tr[data-item]")
    expect(item.get_by_test_id("item-state")).to_have_text("待完成")
    expect(item.locator(".countdown")).to_be_visible()
    act(page, "complete", {"完成佐证": "双路由已开通，割接报告见附件"})
    expect(item.get_by_test_id("item-state")).to_have_text("已完成待验证")
    act(
        page,
        "report_bulletin",
        {
            "整改效果": "双路由开通后同类中断业务零影响",
            "上报时间": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )

    # The working group verifies the measure, reads the bulletin and closes the incident.
    sign_in(page, live_server, "manager")
    page.goto(detail_url)
    act(page, "close", {"备注": "尚有措施未验证"})
    expect(page.locator(".messages")).to_contain_text("待验证")  # refused, saying why
    expect_state(page, "整改中")
    act(page, "verify", {})
    expect(item.get_by_test_id("item-state")).to_have_text("已验证")
    with page.expect_download() as download:
        page.get_by_test_id("bulletin-pdf").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "专题简报" in text and "双路由开通后同类中断业务零影响" in text
    page.get_by_test_id("bulletin-link").click()
    expect(page.locator("h1")).to_have_text("专题简报")
    expect(page.locator("body")).to_contain_text("吉林至四平干线双路由改造")
    page.goto(detail_url)
    act(page, "close", {"备注": "整改措施已落实"})
    expect_state(page, "已关闭")
    timeline = page.locator("#timeline")
    for step in ("已定级 → 已派发", "已派发 → 处理中", "处理中 → 已解决", "整改中 → 已关闭"):
        expect(timeline).to_contain_text(step)
