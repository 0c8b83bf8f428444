"""The incident list's search box (`?q=` on the page and on `/api/v1/incidents/`): by number
(or its beginning) and by any substring of the title or the description, scoped as the list."""

import pytest
from rest_framework.test import APIClient

from incidents.selectors import incident_list, incidents_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(make_incident):
    return {
        "cable": make_incident(
            title="长春朝阳区光缆中断", description="锦绣花园一带光缆被挖断，影响宽带用户。"
        ),
        "core": make_incident(
            title="核心网告警", description="100%的用户_受影响", business_line="billing"
        ),
    }


def found(demo, q, user="manager"):
    return list(incidents_search(incident_list(user=demo[user]), q).values_list("pk", flat=True))


def test_by_number_title_and_description(demo, made):
    cable, core = made["cable"], made["core"]
    assert found(demo, cable.number) == [cable.pk]
    assert found(demo, cable.number.lower()) == [cable.pk]
    assert set(found(demo, cable.number.rsplit("-", 1)[0])) == {cable.pk, core.pk}
    assert found(demo, "光缆") == [cable.pk]  # title and description: once
    assert found(demo, "锦绣花园") == [cable.pk]
    assert found(demo, "告警") == [core.pk]
    assert found(demo, "100%") == [core.pk]
    assert found(demo, "0%") == [core.pk]
    assert found(demo, "户_") == [core.pk]
    assert found(demo, "%") == found(demo, "_") == found(demo, "户%") == []


def test_scoped_as_the_list_on_the_page_and_in_the_api(demo, made, client):
    cable = made["cable"]
    owner = cable.owning_department
    outsider = next(
        name
        for name in ("ent_contact", "net_contact", "mkt_contact")
        if demo[name].profile.department != owner
        and demo[name].profile.department != made["core"].owning_department
    )
    insider = f"{owner.code.removeprefix('BR-').lower()}_contact"
    assert found(demo, "光缆", user=insider) == [cable.pk]
    assert found(demo, "光缆", user=outsider) == []
    client.force_login(demo[outsider])
    page = client.get("/incidents/", {"q": "光缆"})
    assert page.status_code == 200 and list(page.context["page"]) == []
    client.force_login(demo[insider])
    page = client.get("/incidents/", {"q": "光缆"})
    assert [i.pk for i in page.context["page"]] == [cable.pk]
    html = page.content.decode()
    assert 'type="search"' in html and 'id="search"' in html and 'data-shortcut="/"' in html

    api = APIClient()
    api.force_authenticate(demo[outsider])
    assert api.get("/api/v1/incidents/", {"q": "光缆"}).json()["results"] == []
    api.force_authenticate(demo[insider])
    results = api.get("/api/v1/incidents/", {"q": "光缆"}).json()["results"]
    assert [r["id"] for r in results] == [cable.pk]
