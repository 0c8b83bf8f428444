"""Keyboard shortcuts: ? opens the help, j/k move through a list, Enter opens the row, /
goes to the filters; keys typed into a field stay in the field."""

import pytest
from playwright.sync_api import Page, expect

from . import test_bulk
from .test_incident_walk import sign_in

demo = test_bulk.demo  # the demo province
dispatched = test_bulk.dispatched  # three complaints of NET, the middle one handed over

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_keys_move_through_the_complaint_list_and_open_a_row(
    page: Page,
    live_server,
    demo,
    dispatched,
):
    sign_in(page, live_server, "net_contact")
    page.goto(f"{live_server.url}/complaints/")
    help_dialog = page.get_by_test_id("shortcuts-help")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    expect(help_dialog.locator("kbd", has_text="j")).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    rows = page.locator("#complaints tbody tr")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("selected")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(2)).to_have_class("selected")
    expect(rows.nth(0)).not_to_have_class("selected")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class("selected")

    # typed into a field, j is a letter
    page.keyboard.press("/")
    first_filter = page.locator("form.filters select, form.filters input").first
    expect(first_filter).to_be_focused()
    page.locator("#saved-view-name-complaints").fill("jk")
    expect(page.locator("#saved-view-name-complaints")).to_have_value("jk")
    expect(rows.nth(1)).to_have_class("selected")

    page.locator("main h1").click()  # out of the field
    page.keyboard.press("Enter")
    middle = dispatched[1]  # newest first: the second row is the middle one
    expect(page).to_have_url(f"{live_server.url}/complaints/{middle.pk}/")
