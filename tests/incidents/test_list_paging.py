"""The incident list, its API twin and "my deadlines" page by cursor; the list's counts by
level stop counting at a cap."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from deadlines.models import Deadline, DeadlinePolicy
from deadlines.versions import policy_version
from incidents.models import ActionItem, Cooperation, Incident
from incidents.selectors import incident_scope
from organisation.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(make_incident):
    made = [
        make_incident(
            title=f"故障 {i}",
            customers_affected=20000 if i % 4 == 0 else 10,
            business_line="billing" if i % 2 else "network",
        )
        for i in range(9)
    ]
    moment = timezone.now() - timedelta(hours=1)
    Incident.objects.update(created_at=moment)  # all at once: the id decides
    return made


def newest_first(queryset):
    return list(queryset.order_by("-created_at", "-id").values_list("number", flat=True))


def _walk_pages(client):
    """Every page of the incident list by its next links: the numbers shown, how many pages,
    and the last page's response."""
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get("/incidents/", {"cursor": cursor} if cursor else {})
        page, pages = response.context["page"], pages + 1
        seen += [i.number for i in page]
        if not page.has_next:
            return seen, pages, response
        cursor = page.next_cursor


def test_the_incident_page_walks_every_incident_once_and_bounds_its_counts(
    incidents, demo, client, settings
):
    settings.INCIDENT_LIST_PAGE_SIZE = 4
    settings.LIST_COUNT_CAP = 2
    client.force_login(demo["manager"])
    with CaptureQueriesContext(connection) as queries:
        seen, _pages, response = _walk_pages(client)
    assert seen == newest_first(Incident.objects.all())
    # counted among the newest two only, each an "at least" as the list goes on
    counts = {level: n for level, _label, n in response.context["counts"]}
    newest = list(Incident.objects.order_by("-created_at", "-id").values_list("level", flat=True))
    for level, n in counts.items():
        assert n == f"{newest[:2].count(level)}+"
    # no count of the whole list: at most the newest three rows are read for the counts
    counting = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and 'FROM "incidents_incident"' in q["sql"]
    ]
    assert not counting
    # a list within the cap is counted exactly
    settings.LIST_COUNT_CAP = 100
    exact = {level: n for level, _l, n in client.get("/incidents/").context["counts"]}
    assert exact == {level: newest.count(level) for level in exact}


def _walk_api(user, url):
    """The numbers of every page of an API list from ``url`` by its next links, as ``user``."""
    api = APIClient()
    api.force_authenticate(user)
    seen = []
    while url:
        body = api.get(url).json()
        seen += [i["number"] for i in body["results"]]
        url = body["next"]
    return seen


@pytest.mark.parametrize(("user", "line"), [("manager", "billing"), ("net_contact", "network")])
def test_the_incident_api_pages_by_cursor_with_filters(incidents, demo, user, line):
    """As who sees everything, and as the owning department's interface person, whose list
    is read branch by branch (a filter of several values makes it DISTINCT)."""
    seen = _walk_api(demo[user], f"/api/v1/incidents/?page_size=2&business_line={line}&city=CC")
    assert seen == newest_first(Incident.objects.filter(business_line=line))
    assert len(seen) == (4 if line == "billing" else 5)


def test_my_deadlines_page_through_most_urgent_first_those_without_a_due_time_last(
    incidents, demo, client, settings
):
    settings.DEADLINE_LIST_PAGE_SIZE = 3
    mine = Department.objects.get(code=demo["cs_contact"].profile.department.code)
    kind = ContentType.objects.get_for_model(Incident)
    now = timezone.now()
    version = policy_version(DeadlinePolicy.objects.get(code="incident-explanation"))
    for n, incident in enumerate(incidents):
        Deadline.objects.create(
            content_type=kind,
            object_id=incident.pk,
            kind=f"bench-{n}",
            started_at=now,
            policy_version=version,
            due_at=None if n % 3 == 0 else now + timedelta(hours=n % 2),
            responsible_department=mine,
        )
    # some answered for personally within another department, some by nobody here
    other = Department.objects.exclude(pk=mine.pk).first()
    for n, incident in enumerate(incidents[:4]):
        Deadline.objects.create(
            content_type=kind,
            object_id=incident.pk,
            kind=f"bench-other-{n}",
            started_at=now,
            policy_version=version,
            due_at=now + timedelta(minutes=30 * n),
            responsible_department=other,
            responsible_person=demo["cs_contact"] if n % 2 else None,
        )
    client.force_login(demo["cs_contact"])
    seen, cursor, pages = [], None, 0
    with CaptureQueriesContext(connection) as queries:
        while True:
            page = client.get(
                "/incidents/deadlines/", {"cursor": cursor} if cursor else {}
            ).context["page"]
            seen += [d.pk for d in page]
            pages += 1
            if not page.has_next:
                break
            cursor = page.next_cursor
    from incidents.selectors import deadline_list, deadlines_filter

    expected = [d.pk for d in deadlines_filter(deadline_list(user=demo["cs_contact"]), {})]
    assert seen == expected and len(seen) >= 9
    assert Deadline.objects.get(pk=seen[-1]).due_at is None
    personal = Deadline.objects.filter(responsible_person=demo["cs_contact"], kind__startswith="b")
    assert set(personal.values_list("pk", flat=True)) <= set(seen)
    assert not Deadline.objects.filter(
        pk__in=seen, responsible_department=other, responsible_person=None
    ).exists()
    if connection.vendor == "postgresql":  # the person's and the department's read apart
        merged = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
        assert len(merged) == pages


def test_a_departments_incidents_reached_several_ways_page_once_each_branch_by_branch(
    make_incident, demo, client, settings
):
    """NET owns some incidents, cooperates on some, owns action items of some: its list (page,
    counts and API) reads each way on its own and merges them, every incident once, in order."""
    made = [make_incident(title=f"故障 {i}") for i in range(12)]
    Incident.objects.update(created_at=timezone.now() - timedelta(hours=1))  # the id decides
    net = Department.objects.get(code="NET")
    other = Department.objects.exclude(pk=net.pk).filter(sees_all_records=False).first()
    Incident.objects.update(owning_department=other)
    Incident.objects.filter(pk__in=[i.pk for i in made[::3]]).update(owning_department=net)
    for incident in made[1::4]:
        Cooperation.objects.create(incident=incident, department=net, reason="plane")
    for incident in made[2::5]:
        ActionItem.objects.create(
            incident=incident,
            title="整改",
            owner_department=net,
            due_at=timezone.now() + timedelta(days=7),
            created_by=demo["manager"],
        )
    expected = newest_first(incident_scope(demo["net_contact"]))
    assert 6 < len(expected) < len(made)
    settings.INCIDENT_LIST_PAGE_SIZE = 2
    client.force_login(demo["net_contact"])
    with CaptureQueriesContext(connection) as queries:
        seen, pages, response = _walk_pages(client)
    assert seen == expected
    levels = list(
        incident_scope(demo["net_contact"])
        .order_by("-created_at", "-id")
        .values_list("level", flat=True)
    )
    counts = {level: n for level, _label, n in response.context["counts"]}
    assert counts == {level: levels.count(level) for level in counts}
    merged = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(merged) == 2 * pages  # each page and its counts read branch by branch
    assert _walk_api(demo["net_contact"], "/api/v1/incidents/?page_size=3") == expected
