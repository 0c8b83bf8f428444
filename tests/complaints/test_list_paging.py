"""The complaint list and its API twin page by cursor: every complaint once, newest first,
filters and scoping kept from page to page, and nothing counts the whole list."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services as cs
from complaints.models import Complaint, ComplaintCooperation
from complaints.selectors import complaint_scope
from core import keyset
from core import search as search_module
from organisation.models import City, Department
from tests.factories import UserFactory, hotline_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaints(demo):
    """23 complaints, three of each pair of them at the same moment (the id decides)."""
    city = City.objects.get(code="CC")
    made = [
        cs.complaint_create(
            actor=demo["hotline1"],
            channel="hotline",
            customer_name="王先生",
            customer_phone=f"1380000{i:04d}",
            customer_account=f"A{i}",
            city=city,
            address="长春市",
            business_line="billing" if i % 3 == 0 else "network",
            summary="话费有误",
            description="上月话费多扣 30 元",
        )
        for i in range(23)
    ]
    start = timezone.now() - timedelta(hours=1)
    for i, complaint in enumerate(made):
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=start + timedelta(minutes=i // 2)
        )
    return made


def newest_first(queryset):
    return list(queryset.order_by("-created_at", "-id").values_list("number", flat=True))


def _no_count_of(table, queries):
    return not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]


def test_the_page_walks_every_complaint_once_by_cursor_and_back(complaints, demo, client, settings):
    settings.COMPLAINT_LIST_PAGE_SIZE = 5
    client.force_login(demo["manager"])
    seen, pages, cursor = [], [], None
    with CaptureQueriesContext(connection) as queries:
        while True:
            response = client.get("/complaints/", {"cursor": cursor} if cursor else {})
            assert response.status_code == 200
            page = response.context["page"]
            pages.append((cursor, [c.number for c in page]))
            seen += [c.number for c in page]
            if not page.has_next:
                break
            assert f'href="?cursor={page.next_cursor}"' in response.content.decode()
            cursor = page.next_cursor
    assert seen == newest_first(Complaint.objects.all())
    assert [len(numbers) for _c, numbers in pages] == [5, 5, 5, 5, 3]
    assert _no_count_of("complaints_complaint", queries.captured_queries)
    # the previous link of the last page shows the page before it
    last = client.get("/complaints/", {"cursor": cursor}).context["page"]
    back = client.get("/complaints/", {"cursor": last.previous_cursor}).context["page"]
    assert [c.number for c in back] == pages[-2][1]
    assert back.has_previous and back.has_next


def test_filters_stay_on_the_next_page_and_a_bad_cursor_shows_the_first(
    complaints, demo, client, settings
):
    settings.COMPLAINT_LIST_PAGE_SIZE = 3
    client.force_login(demo["manager"])
    first = client.get("/complaints/", {"business_line": "billing"})
    page = first.context["page"]
    html = first.content.decode().replace("&amp;", "&")
    assert f'href="?business_line=billing&cursor={page.next_cursor}"' in html
    seen = [c.number for c in page]
    while page.has_next:
        page = client.get(
            "/complaints/", {"business_line": "billing", "cursor": page.next_cursor}
        ).context["page"]
        seen += [c.number for c in page]
    assert seen == newest_first(Complaint.objects.filter(business_line="billing"))
    for bad in ("garbage", "e30", "eyJrIjpbMSwyXSwiZCI6Im4ifQ"):
        response = client.get("/complaints/", {"cursor": bad})
        assert response.status_code == 200
        assert [c.number for c in response.context["page"]] == newest_first(
            Complaint.objects.all()
        )[:3]


def test_the_api_pages_by_cursor_within_the_readers_scope(complaints, demo):
    net = Department.objects.get(code="NET")
    for complaint in complaints[::4]:
        cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net)
    api = APIClient()
    api.force_authenticate(demo["net_contact"])
    url, seen = "/api/v1/complaints/?page_size=2&business_line=network", []
    with CaptureQueriesContext(connection) as queries:
        while url:
            body = api.get(url).json()
            assert set(body) == {"next", "previous", "results"}
            seen += [c["number"] for c in body["results"]]
            url = body["next"]
            if url:
                assert re.search(r"[?&]business_line=network(&|$)", url)
    expected = Complaint.objects.filter(department=net, business_line="network")
    assert seen == newest_first(expected) and len(seen) > 2
    assert _no_count_of("complaints_complaint", queries.captured_queries)


def test_the_api_refuses_a_cursor_of_nothing_and_page_numbers(complaints, demo):
    api = APIClient()
    api.force_authenticate(demo["manager"])
    assert api.get("/api/v1/complaints/", {"cursor": "garbage"}).status_code == 404
    response = api.get("/api/v1/complaints/", {"page": "2"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page"


@pytest.fixture
def reached_three_ways(complaints, demo):
    """NET handles some complaints, took some (first ask) and was convened on some; some are
    NET's in two ways, or all three, and the rest are not NET's at all."""
    net = Department.objects.get(code="NET")
    for complaint in complaints[::3]:
        cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net)
    Complaint.objects.filter(pk__in=[c.pk for c in complaints[1::4]]).update(
        first_ask_department=net
    )
    ComplaintCooperation.objects.bulk_create(
        ComplaintCooperation(
            complaint=complaint, department=net, assignment="核查基站", created_by=demo["manager"]
        )
        for complaint in complaints[::5]
    )
    return net


def _walk_api(api, url):
    """Every page forward, then every page back from the last: the numbers of each."""
    forward, back = [], []
    while url:
        body = api.get(url).json()
        forward.append([c["number"] for c in body["results"]])
        last, url = body["previous"], body["next"]
    while last:
        body = api.get(last).json()
        back.insert(0, [c["number"] for c in body["results"]])
        last = body["previous"]
    return forward, back


def test_a_list_reached_several_ways_pages_each_complaint_once(reached_three_ways, demo, client):
    """The department's list is read branch by branch (what it handles, took, was convened
    on): a complaint reached two ways still shows once, in its place, forward and back, in
    the page, the API and a search."""
    scope = complaint_scope(demo["net_contact"])
    expected = newest_first(scope)
    assert 8 < len(expected) < len(newest_first(Complaint.objects.all()))
    api = APIClient()
    api.force_authenticate(demo["net_contact"])
    with CaptureQueriesContext(connection) as queries:
        forward, back = _walk_api(api, "/api/v1/complaints/?page_size=3")
    assert [row for page in forward for row in page] == expected
    assert back == forward[:-1]
    # read branch by branch: one walk per way a complaint reaches the department, merged
    pages = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 4")]
    assert len(pages) == len(forward) + len(back)
    assert all(sql.count("UNION ALL") == 2 for sql in pages)
    forward, _back = _walk_api(api, f"/api/v1/complaints/?page_size=2&q={quote('话费')}")
    assert [row for page in forward for row in page] == expected
    client.force_login(demo["net_contact"])
    page = client.get("/complaints/").context["page"]
    assert [c.number for c in page] == expected[: len(page)]


def test_who_sees_every_complaint_reads_the_list_at_once(complaints, demo):
    api = APIClient()
    api.force_authenticate(demo["manager"])
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/complaints/?page_size=3").json()
    assert [c["number"] for c in body["results"]] == newest_first(Complaint.objects.all())[:3]
    assert not [q for q in queries.captured_queries if "UNION" in q["sql"]]


@pytest.fixture
def across_the_years(demo):
    """A word (瑶池) in complaints of every age, from a day ahead (a clock ahead of ours) to
    three years back, two of them at the same moment; NET handles every other one;
    complaints without the word between."""
    net = Department.objects.get(code="NET")
    now = timezone.now()
    ages = [-1, 0, 1, 5, 5, 20, 45, 200, 400, 1000]  # one of them a day ahead of the clock
    for i, days in enumerate(ages):
        for summary in ("瑶池小区宽带断网", "宽带断网"):
            complaint = cs.complaint_create(
                actor=demo["hotline1"], **hotline_intake(summary=summary)
            )
            if i % 2:
                cs.complaint_dispatch(
                    complaint_id=complaint.pk, actor=demo["hotline1"], department=net
                )
            Complaint.objects.filter(pk=complaint.pk).update(
                created_at=now - timedelta(days=days, minutes=0 if days == 5 else i)
            )
    return Complaint.objects.filter(summary__startswith="瑶池")


def _windows(queries) -> list[str]:
    return [q["sql"] for q in queries if "MATERIALIZED" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows are PostgreSQL's")
def test_a_search_for_an_uncommon_word_reads_the_nearest_window_that_fills_a_page(
    across_the_years, demo, monkeypatch
):
    """A word the statistics do not count as common is read in windows of time: the rows of
    the last three days, then of a window as much wider as the rows found tell (two to ten
    times), until one holds more than a page, past a thousand days all. The pages are the
    same as reading the whole list, forward and back, for the manager and for a department's
    scope."""
    monkeypatch.setattr(search_module, "_statistics", {})
    for user, rows in (
        (demo["manager"], across_the_years),
        (demo["net_contact"], complaint_scope(demo["net_contact"], across_the_years)),
    ):
        expected = newest_first(rows)
        assert len(expected) > 3
        api = APIClient()
        api.force_authenticate(user)
        with CaptureQueriesContext(connection) as queries:
            forward, back = _walk_api(api, f"/api/v1/complaints/?page_size=2&q={quote('瑶池')}")
        assert [row for page in forward for row in page] == expected
        assert back == forward[:-1]
        assert _windows(queries.captured_queries), "the search was not read in windows"
    api = APIClient()
    api.force_authenticate(demo["manager"])
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/complaints/", {"q": "瑶池", "page_size": 1})
    assert len(_windows(queries.captured_queries)) == 1  # the last three days hold three
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/complaints/", {"q": "瑶池", "page_size": 3})
    # three of four: at that density eight days hold the rest twice over, and hold five
    assert len(_windows(queries.captured_queries)) == 2
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/complaints/", {"q": "瑶池", "page_size": 30})
    # three days hold 3 of 31, thirty 6, three hundred 8, and then all of them are read
    assert len(_windows(queries.captured_queries)) == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows are PostgreSQL's")
def test_a_window_of_nothing_is_an_empty_page(across_the_years, demo):
    """Someone who may see no complaint searches as anyone does: an empty list."""
    nobody = UserFactory()
    api = APIClient()
    api.force_authenticate(nobody)
    response = api.get("/api/v1/complaints/", {"q": "瑶池"})
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows are PostgreSQL's")
def test_a_common_word_is_read_by_walking_the_list(across_the_years, demo, monkeypatch):
    """Once ANALYZE has counted 宽带 in every complaint, it is looked for by walking the list
    newest first, as the planner chooses: no windows. A word it did not count is read in
    windows."""
    monkeypatch.setattr(search_module, "_statistics", {})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    api = APIClient()
    api.force_authenticate(demo["manager"])
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/complaints/", {"q": "宽带", "page_size": 4}).json()
    assert [c["number"] for c in body["results"]] == newest_first(
        Complaint.objects.filter(summary__contains="宽带")
    )[:4]
    assert not _windows(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/complaints/", {"q": "鹿鸣", "page_size": 4})
    assert _windows(queries.captured_queries)  # a word it did not count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows are PostgreSQL's")
def test_a_row_that_leaves_between_window_and_page_keeps_the_way_on(
    across_the_years, demo, monkeypatch
):
    """The window chooses a page's rows before the page reads them: one edited out of the
    search meanwhile leaves a shorter page, still with its next link."""
    monkeypatch.setattr(search_module, "_statistics", {})
    choose = keyset._windowed

    def and_one_leaves(*args, **kwargs):
        found = choose(*args, **kwargs)
        Complaint.objects.filter(pk=found[0]).update(summary="宽带断网")
        return found

    monkeypatch.setattr(keyset, "_windowed", and_one_leaves)
    api = APIClient()
    api.force_authenticate(demo["manager"])
    body = api.get("/api/v1/complaints/", {"q": "瑶池", "page_size": 2}).json()
    still = newest_first(across_the_years)  # the first of them no longer holds the word
    assert [c["number"] for c in body["results"]] == still[:2]
    assert body["next"]
