"""Saved views: a person names the current filters of a list, picks them again from the
list's page, renames and deletes their own, and never sees another person's."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core import services
from core.errors import Conflict
from core.lists import query_normalise
from core.models import SavedView

pytestmark = pytest.mark.django_db


def test_the_query_keeps_only_the_lists_filters_in_a_fixed_order():
    assert (
        query_normalise("complaints", "?cursor=abc&city=CC&state=dispatched&evil=1&department=")
        == "state=dispatched&city=CC"
    )
    assert query_normalise("incidents", "level=red&q=%E5%9F%BA&x=1") == "q=%E5%9F%BA&level=red"


def test_names_are_unique_per_person_and_list(demo):
    me, other = demo["hotline1"], demo["hotline2"]
    services.saved_view_create(
        user=me, list_name="complaints", name="待派单", query="state=received"
    )
    with pytest.raises(Conflict) as conflict:
        services.saved_view_create(user=me, list_name="complaints", name=" 待派单 ", query="")
    assert conflict.value.code == "duplicate_name"
    # another list, another person: fine
    services.saved_view_create(user=me, list_name="incidents", name="待派单", query="")
    services.saved_view_create(user=other, list_name="complaints", name="待派单", query="")
    with pytest.raises(ValidationError) as error:
        services.saved_view_create(user=me, list_name="nope", name="x", query="")
    assert "list_name" in error.value.message_dict


def test_the_page_saves_picks_renames_and_deletes_ones_own_views(demo, client):
    client.force_login(demo["hotline1"])
    response = client.post(
        "/lists/views/",
        {"list": "complaints", "name": "长春待派", "query": "city=CC&state=received&cursor=x"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/complaints/?state=received&city=CC"
    view = SavedView.objects.get(user=demo["hotline1"])
    assert (view.list_name, view.query) == ("complaints", "state=received&city=CC")
    page = client.get("/complaints/", {"city": "CC", "state": "received"}).content.decode()
    assert 'href="/complaints/?state=received&amp;city=CC"\n           aria-current="true"' in page
    assert "长春待派" in page
    client.post(f"/lists/views/{view.pk}/rename/", {"name": "长春·待派单"})
    view.refresh_from_db()
    assert view.name == "长春·待派单"
    # the same name twice is refused with a message, nothing changes
    services.saved_view_create(user=demo["hotline1"], list_name="complaints", name="B", query="")
    follow = client.post(f"/lists/views/{view.pk}/rename/", {"name": "B"}, follow=True)
    assert list(follow.context["messages"])
    view.refresh_from_db()
    assert view.name == "长春·待派单"
    # another person's view: not found, for every action, and not shown
    client.force_login(demo["hotline2"])
    assert "长春·待派单" not in client.get("/complaints/").content.decode()
    assert client.post(f"/lists/views/{view.pk}/rename/", {"name": "mine"}).status_code == 404
    assert client.post(f"/lists/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    client.force_login(demo["hotline1"])
    assert client.post(f"/lists/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_the_page_refuses_an_unknown_list_or_a_get(demo, client):
    client.force_login(demo["hotline1"])
    assert client.post("/lists/views/", {"list": "nope", "name": "x"}).status_code == 404
    assert client.get("/lists/views/").status_code == 405


def test_the_api_is_scoped_to_the_owner(demo):
    mine, theirs = APIClient(), APIClient()
    mine.force_authenticate(demo["net_contact"])
    theirs.force_authenticate(demo["net_leader"])
    created = mine.post(
        "/api/v1/saved-views/",
        {"list_name": "incidents", "name": "红色在办", "query": "?level=red&state=live&foo=1"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["name"], body["query"]) == ("红色在办", "state=live&level=red")
    pk = body["id"]
    duplicate = mine.post(
        "/api/v1/saved-views/", {"list_name": "incidents", "name": "红色在办"}, format="json"
    )
    assert duplicate.status_code == 409
    unknown = mine.post("/api/v1/saved-views/", {"list_name": "x", "name": "y"}, format="json")
    assert unknown.json()["errors"][0]["attr"] == "list_name"
    assert [v["id"] for v in mine.get("/api/v1/saved-views/").json()] == [pk]
    assert mine.get("/api/v1/saved-views/", {"list_name": "complaints"}).json() == []
    assert theirs.get("/api/v1/saved-views/").json() == []
    assert theirs.get(f"/api/v1/saved-views/{pk}/").status_code == 404
    assert (
        theirs.patch(f"/api/v1/saved-views/{pk}/", {"name": "x"}, format="json").status_code == 404
    )
    assert theirs.delete(f"/api/v1/saved-views/{pk}/").status_code == 404
    renamed = mine.patch(f"/api/v1/saved-views/{pk}/", {"name": "红色"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "红色"
    assert mine.delete(f"/api/v1/saved-views/{pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_every_list_shows_its_saved_views(demo, client):
    client.force_login(demo["manager"])
    for list_name, url in [
        ("complaints", "/complaints/"),
        ("incidents", "/incidents/"),
        ("deadlines", "/incidents/deadlines/"),
        ("action-items", "/incidents/rectification/"),
        ("violations", "/accountability/violations/"),
    ]:
        services.saved_view_create(
            user=demo["manager"], list_name=list_name, name=f"视图 {list_name}", query=""
        )
        html = client.get(url).content.decode()
        assert f"视图 {list_name}" in html, url
        assert 'data-testid="list-tools"' in html
