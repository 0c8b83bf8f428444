"""The pages under the Content-Security-Policy, in Chromium: what used inline script or style
still works from static files, and the policy refuses what it should (the suite's
``no_csp_violations`` fixture fails any page test that the policy interfered with)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from incidents import services
from organisation.demo import seed_demo
from organisation.models import City

from .test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo():
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


def test_the_policy_refuses_an_injected_inline_script(
    page: Page, live_server, demo, no_csp_violations
):
    sign_in(page, live_server, "manager")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.injected === undefined")
    page.wait_for_timeout(200)
    assert no_csp_violations  # refused, and reported in the console
    no_csp_violations.clear()


def test_the_bulletin_prints_from_its_button(page: Page, live_server, demo):
    incident = services.incident_create(
        actor=demo["cs_contact"],
        title="长春 4G 基站退服",
        business_line="network",
        source="business_risk",
        cities=[City.objects.get(code="CC")],
        occurred_at=timezone.now() - timedelta(minutes=40),
    )
    sign_in(page, live_server, "manager")
    page.add_init_script("window.print = () => { window.printed = true; }")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/bulletin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("专题简报")
    # the style sheet applies (centred heading), the button runs the static script
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).textAlign") == "center"
    page.get_by_role("button", name="打印").click()
    page.wait_for_function("window.printed === true")


def test_the_violation_filter_submits_on_change(page: Page, live_server, demo):
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/accountability/violations/")
    page.locator("#id_state").select_option(index=1)
    page.wait_for_url("**/accountability/violations/?state=*")


def test_the_api_documentation_renders(page: Page, live_server, demo):
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Fenghuo")
    expect(page.locator(".opblock-tag", has_text="incidents").first).to_be_visible()
