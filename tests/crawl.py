"""A person's walk over the site, read from its pages: the menu, then what the pages it leads
to link to, DEPTH levels down, and the detail page of every record. The walks of every page
(the embedded pass, the visible-codes walk) take their pages from here, so a page added to the
menu is opened without a change to a test."""

import traceback
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

# Paths a crawl does not follow: other sites of their own (the admin beyond its index, the
# API beyond its documentation page), files, what only a form posts to, and the public status
# page's language switch (a link that would change the walk's language).
NOT_FOLLOWED = (
    "/admin/", "/api/", "/static/", "/media/", "/accounts/", "/i18n/", "/status/language/",
)  # fmt: skip
# The public pages (no sign-in; linked from every page's footer, so every walk opens them).
PUBLIC_PAGES = ("/status/", "/status/feed.json")
# How deep a crawl goes from the menu: menu page → list → detail → what a detail links to.
DEPTH = 3
EXPORTS = (".xlsx", ".pdf", ".csv")


class Links(HTMLParser):
    """The ``href`` of every anchor, split into the page's chrome (menu, bell, footer) and its
    content (inside ``<main>``)."""

    def __init__(self):
        super().__init__()
        self.chrome: list[str] = []
        self.content: list[str] = []
        self.menu: list[str] = []
        self._main = 0
        self._nav = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self._main += 1
        elif tag == "nav" and "mainnav" in (attributes.get("class") or ""):
            self._nav += 1
        elif tag == "a" and attributes.get("href"):
            href = attributes["href"]
            (self.content if self._main else self.chrome).append(href)
            if self._nav:
                self.menu.append(href)

    def handle_endtag(self, tag):
        if tag == "main":
            self._main -= 1
        elif tag == "nav" and self._nav:
            self._nav -= 1


def _links(response) -> Links:
    parser = Links()
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode())
    return parser


def _internal(href: str, base: str) -> str | None:
    """The site-relative URL of ``href`` (fragment dropped), or None for another site, a
    mail or phone link, or the page itself."""
    href = urldefrag(href)[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if href.startswith("?"):
        href = urlsplit(base).path + href
    elif not href.startswith("/"):
        return None
    return href


def _shape(url: str) -> tuple[str, frozenset[str]] | None:
    """A filtered or paged list: its path and the names of its parameters (None without)."""
    parts = urlsplit(url)
    if not parts.query:
        return None
    return parts.path, frozenset(pair.partition("=")[0] for pair in parts.query.split("&"))


class Visit:
    """One person's walk over the site; failures collected, not raised at the first.

    A list's filter and page links (the dashboard's drill-downs: one per department, city,
    business line, ...) are opened once per set of parameters, by the first person of the walk
    who is shown one (``shapes``, shared): the others would repeat the same query."""

    def __init__(
        self,
        username: str,
        shapes: set | None = None,
        language: str | None = None,
        on_page=None,
    ):
        self.username = username
        self.shapes = set() if shapes is None else shapes
        self.client = Client()
        self.client.force_login(User.objects.get(username=username))
        if language:  # as the language switch leaves it
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        self.on_page = on_page  # called with (url, response) for every page answered
        self.status: dict[str, int] = {}
        self.failures: list[str] = []

    def get(self, url: str):
        try:
            response = self.client.get(url)
        except Exception as error:  # a view that raised: what would be a 500
            frames = traceback.format_exception(error)[-3:]
            self.failures.append(f"{self.username} GET {url}: {error!r}\n{''.join(frames)}")
            self.status[url] = 500
            return None
        self.status[url] = response.status_code
        if self.on_page is not None:
            self.on_page(url, response)
        return response

    def expect(self, url: str, allowed: set[int], found_on: str = ""):
        response = self.get(url)
        if response is not None and response.status_code not in allowed:
            self.failures.append(
                f"{self.username} GET {url}: {response.status_code}, expected {sorted(allowed)}"
                + (f" (linked from {found_on})" if found_on else "")
            )
        return response

    def menu(self) -> tuple[list[str], list[str]]:
        """The menu's links, and the rest of what every page offers around its content (the
        bell, the footer, a banner)."""
        home = self.expect("/", {200})
        assert home is not None
        links = _links(home)
        menu = [url for href in links.menu if (url := _internal(href, "/"))]
        assert menu, f"{self.username} sees no menu"
        chrome = [url for href in links.chrome if (url := _internal(href, "/"))]
        return list(dict.fromkeys(menu)), [url for url in dict.fromkeys(chrome) if url not in menu]

    def crawl(self) -> None:
        """Open the menu (each entry must answer 200) and the page's other links, then what
        their pages link to, DEPTH levels down: each a 200 or a redirect (opening a
        notification marks it read and follows its link; a banner's admin link sends one
        who is not staff to the admin's sign-in), never an error or a dead link."""
        menu, chrome = self.menu()
        frontier = []
        for url in menu + chrome:
            response = self.expect(url, {200} if url in menu else {200, 302}, found_on="/")
            followed = response is not None and response.status_code == 200
            if followed and not url.startswith(NOT_FOLLOWED):
                frontier.append((url, response))
        for _ in range(DEPTH):
            found = []
            for base, response in frontier:
                for href in _links(response).content:
                    url = _internal(href, base)
                    if url is None or url in self.status or url.startswith(NOT_FOLLOWED):
                        continue
                    shape = _shape(url)
                    if shape in self.shapes:
                        continue
                    if shape is not None:
                        self.shapes.add(shape)
                    page = self.expect(url, {200, 302}, found_on=base)
                    if page is not None and page.status_code == 200:
                        found.append((url, page))
            frontier = found


def record_urls() -> dict[str, list[str]]:
    """The detail page of every record of every model that has one (``get_absolute_url``)."""
    urls: dict[str, list[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label in ("auth", "admin", "contenttypes", "sessions"):
            continue
        if hasattr(model, "get_absolute_url"):
            found = [urldefrag(row.get_absolute_url())[0] for row in model.objects.all()]
            if found:
                urls[model._meta.label] = sorted(set(found))
    return urls
