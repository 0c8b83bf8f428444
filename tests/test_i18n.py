"""Chinese is the default language and its catalogue is complete, current and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated_and_compiled():
    catalogue = polib.pofile(str(CATALOGUE / "django.po"))
    assert len(catalogue) > 0, "the catalogue is empty"
    assert not catalogue.fuzzy_entries(), "fuzzy translations left"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    # a message is its context and its text ("met", and "met" as a deadline's outcome)
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.mofile(str(CATALOGUE / "django.mo"))
    }
    stale = [
        entry.msgid
        for entry in catalogue
        if compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr
    ]
    assert not stale, f"django.mo is stale, run `make messages`: {stale}"


def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    """`make messages` on a copy of the tree finds nothing the catalogue lacks."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "staticfiles", "test-results", "__pycache__", "*.egg-info"
        ),
    )
    bin_dir = Path(sys.executable).parent
    subprocess.run(  # with this environment's Python, not a new one
        [
            "make",
            "-s",
            "-C",
            str(copy),
            "-o",
            f"{bin_dir}/.installed",
            "messages",
            f"BIN={bin_dir}",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    ours = {entry.msgid for entry in polib.pofile(str(CATALOGUE / "django.po"))}
    current = {
        entry.msgid for entry in polib.pofile(str(copy / CATALOGUE.relative_to(base) / "django.po"))
    }
    assert current - ours == set(), "run `make messages`: the catalogue lacks these"


@pytest.mark.django_db
def test_pages_are_chinese_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录烽火" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_pages_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "Log in to Fenghuo" in page
