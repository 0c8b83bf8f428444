"""Bulk hand-over on the complaint list, as a department's interface person does it: tick
the rows (or all on the page), choose the action and the handler, and read the result of
each complaint."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from complaints import services as cs
from complaints.models import Complaint
from organisation.demo import seed_demo
from organisation.models import City, Department

from .test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo():
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


@pytest.fixture
def dispatched(demo):
    """Three complaints dispatched to NET, the middle one already handed over."""
    net = Department.objects.get(code="NET")
    made = []
    for i in range(3):
        complaint = cs.complaint_create(
            actor=demo["hotline1"], channel="hotline", customer_name=f"客户{i}",
            customer_phone=f"1380000{i:04d}", customer_account=f"A{i}",
            city=City.objects.get(code="CC"), address="长春市", business_line="network",
            summary=f"上网慢 {i}", description="晚上上网很慢",
        )  # fmt: skip
        cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net)
        made.append(complaint)
    cs.complaint_hand_over(
        complaint_id=made[1].pk, actor=demo["net_contact"], handler=demo["net_leader"]
    )
    return made


def test_bulk_hand_over_shows_each_complaints_result(page: Page, live_server, demo, dispatched):
    sign_in(page, live_server, "net_contact")
    page.goto(f"{live_server.url}/complaints/")
    page.locator("[data-select-all]").check()
    for complaint in dispatched:
        expect(page.get_by_label(f"选择 {complaint.number}")).to_be_checked()
    page.locator("#bulk select[name=action]").select_option("hand_over")
    leader = demo["net_leader"]
    page.locator("#bulk select[name=handler]").select_option(str(leader.pk))
    page.get_by_test_id("bulk-submit").click()
    results = page.get_by_test_id("bulk-result")
    expect(results).to_have_count(3)
    # newest first, as the list shows them
    newest, middle, oldest = dispatched[2], dispatched[1], dispatched[0]
    expect(results.nth(0)).to_contain_text(newest.number)
    expect(results.nth(0)).to_have_class("done")
    expect(results.nth(1)).to_contain_text(middle.number)
    expect(results.nth(1)).to_have_class("refused")
    expect(results.nth(2)).to_contain_text(oldest.number)
    expect(results.nth(2)).to_have_class("done")
    states = dict(Complaint.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in dispatched] == ["assigned", "assigned", "assigned"]
    assert Complaint.objects.get(pk=oldest.pk).handler == leader
