"""The hotline console tells the agent of announced planned work in the caller's city as the
city is picked (seed 003 第八条8)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from maintenance import services
from maintenance.models import PlannedWork
from organisation.demo import seed_demo
from organisation.models import City, Department
from tests.browser.test_hotline_console import choose, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def announced_work_in_changchun() -> PlannedWork:
    """Announced beforehand, approved by the CS department; its window has opened since."""
    now = timezone.now()
    work = services.planned_work_create(
        actor=User.objects.get(username="net_contact"),
        owning_department=Department.objects.get(code="NET"),
        title="长春朝阳区核心网割接",
        kind="upgrade",
        cities=[City.objects.get(code="CC")],
        districts="朝阳区",
        business_lines=["network"],
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        customer_impact="朝阳区4G数据业务中断约30分钟",
        submit=True,
    )
    services.planned_work_approve(work_id=work.pk, actor=User.objects.get(username="cs_contact"))
    PlannedWork.objects.filter(pk=work.pk).update(starts_at=now - timedelta(minutes=30))
    return work


def test_the_console_shows_planned_work_of_the_city_the_agent_picks(page: Page, live_server):
    seed_demo()
    work = announced_work_in_changchun()

    sign_in(page, live_server, "hotline1")
    page.goto(f"{live_server.url}/complaints/console/")
    banner = page.get_by_test_id("planned-work-banner")
    expect(banner).to_be_empty()
    page.locator("#id_city").focus()
    choose(page, "id_city", "吉林")
    page.keyboard.press("Tab")  # a change of city is sent as it is left or changed
    expect(page.locator("#id_city")).not_to_be_focused()
    expect(banner).not_to_contain_text(work.number)
    page.locator("#id_city").focus()
    choose(page, "id_city", "长春")
    notice = page.get_by_test_id("planned-work-notice")
    expect(notice).to_contain_text(work.number)
    expect(notice).to_contain_text("长春朝阳区核心网割接")
    expect(notice).to_contain_text("朝阳区4G数据业务中断约30分钟")
