"""Ground rules of the REST contract that hold for every resource."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def authed(api_client, user_factory):
    api_client.force_authenticate(user_factory())
    return api_client


def test_departments_and_cities_are_listed_by_code(authed, department_factory, city_factory):
    city = city_factory(code="CC", name_zh="长春", name_en="Changchun")
    department_factory(code="BR-CC", kind="branch", city=city)
    body = authed.get("/api/v1/departments/", {"code": "BR-CC"}).json()
    assert body["count"] == 1
    assert body["results"][0]["city"] == "CC"
    cities = authed.get("/api/v1/cities/").json()
    assert [c["code"] for c in cities["results"]] == ["CC"]


def test_a_bad_filter_is_a_400_naming_the_field(authed):
    response = authed.get("/api/v1/departments/", {"kind": "bogus"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"] == "kind"
    assert body["errors"][0]["code"] == "invalid_choice"


def test_too_many_fields_is_a_400_not_a_server_error(authed, settings):
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = authed.get("/api/v1/departments/", fields)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_page_size_is_capped_at_500(authed):
    from organisation.models import Department

    Department.objects.bulk_create(
        Department(code=f"X{i:03d}", name_zh="部", name_en="dept", kind="network")
        for i in range(501)
    )
    body = authed.get("/api/v1/departments/", {"page_size": 100000}).json()
    assert body["count"] == Department.objects.count() > 500
    assert len(body["results"]) == 500
    assert body["next"] is not None


def test_unknown_record_is_a_json_404(authed):
    response = authed.get("/api/v1/departments/999999/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_api_is_read_only_for_departments(authed):
    response = authed.post("/api/v1/departments/", {"code": "X"}, format="json")
    assert response.status_code == 405


def test_the_api_takes_json_only(api_client, api_key):
    """JSON in (the REST contract): a form body is a 415, not read as something else."""
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key[1]}")
    response = api_client.post(
        "/api/v1/complaints/", "customer_name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["type"] == "client_error"


def test_a_page_size_that_is_no_whole_number_is_refused_by_name(authed):
    for wrong in ("null", "0", "-1", "1.5", "ten"):
        response = authed.get("/api/v1/departments/", {"page_size": wrong})
        assert response.status_code == 400, wrong
        assert response.json()["errors"][0]["attr"] == "page_size"


def test_a_typed_filter_refuses_a_value_it_cannot_use(authed):
    for query in ({"manages_business": "maybe"}, {"is_active": ""}):
        response = authed.get("/api/v1/departments/", query)
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["attr"] == next(iter(query))
    assert authed.get("/api/v1/departments/", {"code": ""}).status_code == 200  # free text
