"""While the database or the broker is out of reach, every request answers 503 with
``Retry-After`` (core.unavailable): in the API's error shape under /api/, as a page elsewhere,
and a write it cut off leaves nothing behind. The outages are real: the request's connection
is terminated by the server (as a restart or a fail-over does), or the database is looked for
at a port where nothing listens."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework.test import APIClient

from complaints.models import Complaint
from core.unavailable import server_error
from organisation.models import City, Department
from tests.complaints import test_complaints as complaint_tests
from tests.incidents import conftest as incident_fixtures

# each test cuts or moves its own connection, which a test inside a transaction cannot
outage = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# the statement that writes a complaint (alone, or as the first of a set of writes)
COMPLAINT_INSERT = 'INSERT INTO "complaints_complaint"'
# the demo province and an external system's key, as the complaint tests have them
demo = incident_fixtures.demo
system_key = complaint_tests.system_key
payload = complaint_tests.payload
NOT_SAVED = "If you were sending a form, it was not saved: go back and send it again."


def unavailable() -> dict:
    detail = gettext("The service is briefly unavailable. Try again in a few seconds.")
    return {
        "type": "server_error",
        "errors": [{"code": "service_unavailable", "detail": detail, "attr": None}],
    }


@contextmanager
def cut_after(statement: str):
    """The server terminates the connection right after the first statement that holds
    ``statement`` has run: the request's next statement fails."""
    cut: list[int] = []

    def terminate_after(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if statement in sql and not cut:
            cut.append(context["connection"].connection.info.backend_pid)
            other = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with other.cursor() as cursor:
                    # waits (up to 5 s) until the backend has gone
                    cursor.execute("SELECT pg_terminate_backend(%s, 5000)", cut)
            finally:
                other.close()
        return result

    with connection.execute_wrapper(terminate_after):
        yield cut
    # Django closes a connection that failed when the request ends; the test client does not
    connection.close()


@contextmanager
def database_unreachable():
    """The database is looked for at a port where nothing listens."""
    saved = {name: connection.settings_dict[name] for name in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def api(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    client.raise_request_exception = False  # the outage is answered, not raised in the test
    return client


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def console_call() -> dict:
    return {
        "customer_phone": "13812345678", "customer_name": "王先生", "customer_account": "A1",
        "city": City.objects.get(code="CC").pk, "address": "长春", "business_line": "network",
        "summary": "上网慢", "description": "晚上上网很慢", "severity": "general",
        "escalation": "none", "outcome": "dispatch", "department": Department.objects.get(code="NET").pk,
    }  # fmt: skip


@outage
def test_an_api_write_cut_off_mid_way_is_a_503_and_leaves_no_row(system_key):
    with cut_after(COMPLAINT_INSERT) as cut:
        response = api(system_key).post(
            "/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="cut-1"
        )
    assert cut, "the complaint was never written"
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert response.json() == unavailable()
    assert not Complaint.objects.exists()
    # nothing was kept, not even the key's answer: the retry it asked for is taken
    retry = api(system_key).post(
        "/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="cut-1"
    )
    assert retry.status_code == 201, retry.json()
    assert Complaint.objects.count() == 1


@outage
def test_a_page_write_cut_off_mid_way_is_a_503_page_and_leaves_no_row(demo):
    client = signed_in(demo["hotline1"])
    with cut_after(COMPLAINT_INSERT) as cut:
        response = client.post(reverse("complaints:console"), console_call())
    assert cut, "the complaint was never written"
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert gettext("Briefly unavailable") in page
    assert gettext(NOT_SAVED) in page
    assert not Complaint.objects.exists()


@outage
def test_pages_and_the_api_answer_503_while_the_database_is_unreachable(demo, system_key, settings):
    settings.RETRY_AFTER_SECONDS = 12
    client, system = signed_in(demo["hotline1"]), api(system_key)
    with database_unreachable():
        page = client.get(reverse("complaints:list"))
        read = system.get("/api/v1/complaints/")  # fails in the API view
        # fails as the request's transaction opens, before the API view
        write = system.post("/api/v1/incidents/", {"title": "x"}, format="json")
    assert page.status_code == 503 and page.headers["Retry-After"] == "12"
    assert gettext("Briefly unavailable") in page.content.decode()
    for response in (read, write):
        assert response.status_code == 503 and response.headers["Retry-After"] == "12"
        assert response.json() == unavailable()
    # and once it is back, so is the service
    assert client.get(reverse("complaints:list")).status_code == 200
    assert system.get("/api/v1/complaints/").status_code == 200


@outage
def test_a_database_error_that_is_no_outage_stays_a_500(demo, system_key):
    """A bad query is a bug, not an outage: no 503, no Retry-After."""
    client, system = signed_in(demo["hotline1"]), api(system_key)

    def bad_query(execute, sql, params, many, context):
        return execute("SELECT no_such_column FROM no_such_table", None, False, context)

    with connection.execute_wrapper(bad_query):
        page = client.get(reverse("complaints:list"))
        read = system.get("/api/v1/complaints/")
    assert page.status_code == 500 and "Retry-After" not in page.headers
    assert read.status_code == 500 and "Retry-After" not in read.headers
    assert read.json()["errors"][0]["code"] == "error"


def test_the_broker_out_of_reach_is_an_outage_too(use_broker, rf):
    from kombu.exceptions import OperationalError

    from config.celery import app

    use_broker("redis://127.0.0.1:1/0")
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except OperationalError:
        # as Django calls the URLconf's handler500: while the error is handled
        answer = server_error(rf.get("/api/v1/complaints/"))
        page = server_error(rf.get("/complaints/"))
    else:
        pytest.fail("a broker answered at a port where nothing listens")
    assert (answer.status_code, page.status_code) == (503, 503)
    assert answer.headers["Retry-After"] == page.headers["Retry-After"]
    assert answer.headers["Content-Type"] == "application/json"
