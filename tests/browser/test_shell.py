"""The UI shell in headless Chromium: Chinese by default, English on request."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from organisation.demo import DEMO_PASSWORD, seed_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_agent():
    """The demo province of `seed_demo`; returns the full name of hotline1 (CS centre)."""
    seed_demo()
    return User.objects.get(username="hotline1").profile.full_name


def log_in(page: Page, live_server, username: str, password: str = DEMO_PASSWORD):
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.keyboard.press("Enter")


def test_log_in_and_see_the_chinese_home_page(page: Page, live_server, demo_agent):
    # The browser asks for English (en-US); the product still speaks Chinese by default.
    log_in(page, live_server, "hotline1")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"欢迎，{demo_agent}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_text("省客服中心").first).to_be_visible()
    expect(page.locator(".tag", has_text="热线坐席")).to_be_visible()


def test_switch_to_english_and_back(page: Page, live_server, demo_agent):
    log_in(page, live_server, "hotline1")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {demo_agent}")
    expect(page.locator(".tag", has_text="Hotline agent")).to_be_visible()
    page.get_by_test_id("lang-zh-hans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"欢迎，{demo_agent}")


def test_wrong_password_says_so_in_chinese(page: Page, live_server, demo_agent):
    log_in(page, live_server, "hotline1", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("用户名和密码不匹配")
