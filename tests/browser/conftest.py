"""Every page test also holds the pages to the Content-Security-Policy: a script, style or
image the policy refuses shows up in Chromium's console, and fails the test that saw it."""

import pytest


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused: list[str] = []

    def watch(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    yield refused  # a test that provokes a refusal on purpose empties the list
    assert refused == []
