"""A discussion on an incident's page, as people use it: one writes a comment (the "c" key to
the comment box, the mention picker) mentioning a colleague, whose open page shows it without
a reload, and who finds it in their notifications, linking to the comment."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from collaboration.models import Comment
from notifications.models import Notification

from .test_live import classified, sign_in  # noqa: F401 - the shared fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_comment_mentioning_a_colleague_reaches_their_page_and_notifications(
    page: Page,
    browser: Browser,
    asgi_server,
    classified,  # noqa: F811 - the fixture
):
    url = f"{asgi_server.url}{classified.get_absolute_url()}"
    # B (the CS interface person) has the incident open
    colleague = browser.new_context(locale="zh-CN")
    other = colleague.new_page()
    sign_in(other, asgi_server.url, "cs_contact")
    other.goto(url)
    expect(other.locator("#comments .comment")).to_have_count(0)
    other.wait_for_timeout(500)  # its stream is open

    # A (the network interface person) writes, from the keyboard
    sign_in(page, asgi_server.url, "net_contact")
    page.goto(url)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("c")
    box = page.locator("[data-comment-box]")
    expect(box).to_be_focused()
    page.keyboard.type("请确认受影响的客户范围\n")
    picker = page.locator("[data-mention-picker]")
    picker.focus()  # the people who may see the incident are offered
    expect(page.locator("datalist option[value='cs_contact']")).to_have_count(1)
    expect(page.locator("datalist option[value='itc_contact']")).to_have_count(0)
    picker.fill("cs_contact")
    picker.press("Enter")
    expect(box).to_have_value("请确认受影响的客户范围\n@cs_contact ")
    expect(box).to_be_focused()
    page.keyboard.type("谢谢<b>")
    page.locator("form.comment-form button[type=submit]").click()

    comment = page.locator("#comments .comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-body")).to_contain_text("@cs_contact 谢谢<b>")  # as text
    written = Comment.objects.get()
    expect(page).to_have_url(re.compile(rf"{classified.get_absolute_url()}#comment-{written.pk}$"))

    # B's open page shows it without a reload; the bell counts the mention
    expect(other.locator("#comments .comment")).to_have_count(1, timeout=3000)
    expect(other.locator("#comments .comment-body")).to_contain_text("请确认受影响的客户范围")
    expect(other.get_by_test_id("bell").locator(".count")).to_have_text(
        re.compile(r"[1-9]"), timeout=3000
    )

    # B's notifications: the mention, which opens the incident at the comment
    told = Notification.objects.get(recipient__username="cs_contact", kind="comment.mention")
    other.goto(f"{asgi_server.url}/notifications/")
    mention = other.locator(f"a[href='/notifications/{told.pk}/']")
    expect(mention).to_contain_text(classified.number)
    mention.click()
    expect(other).to_have_url(re.compile(rf"{classified.get_absolute_url()}#comment-{written.pk}$"))
    expect(other.locator(f"#comment-{written.pk}")).to_be_visible()
    colleague.close()
