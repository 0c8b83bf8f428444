"""A refusal on a page is the styled 403 page that says who may do it instead, in the
person's language; the API keeps answering 403 in JSON."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accountability.supervision_views import WORKING_GROUP_ONLY
from accountability.views import ASSESSORS_ONLY, CUSTOMER_SERVICE_ONLY
from complaints.views import HOTLINE_ONLY
from incidents import services
from incidents.views import REPORTERS_ONLY
from incidents.workflow import FORBIDDEN
from tests.incidents.conftest import demo, make_incident  # noqa: F401 - the same fixtures

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def said(text, language, **names) -> str:
    """The message as the page must show it in ``language``."""
    with translation.override(language):
        return str(text % names if names else text)


def assert_forbidden_page(response, message):
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "base.html"]
    page = response.content.decode()
    assert 'data-testid="forbidden"' in page
    assert escape(message) in page
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither


@pytest.fixture
def dispatched(make_incident, demo):  # noqa: F811
    incident = make_incident()  # the network department's (business line), yellow
    return services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_forbidden_action_names_who_may_do_it(client, demo, dispatched, language):  # noqa: F811
    # the CS department's leader sees the incident but does not own it
    in_language(client, language).force_login(demo["cs_leader"])
    response = client.post(reverse("incidents:act", args=[dispatched.pk, "acknowledge"]))
    with translation.override(language):
        owner = str(dispatched.owning_department)
    message = said(FORBIDDEN["acknowledge"], language, department=owner)
    assert_forbidden_page(response, message)
    assert owner in message and owner == {"zh-hans": "网络部", "en": "Network department"}[language]
    page = response.content.decode()
    assert f'lang="{language}"' in page
    # and who this person is: a department leader of the CS department
    assert {"zh-hans": "部门负责人", "en": "Department leader"}[language] in page
    dispatched.refresh_from_db()
    assert dispatched.state == "dispatched"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_forbidden_page_says_who_may_open_it(client, demo, language):  # noqa: F811
    in_language(client, language).force_login(demo["hotline1"])
    assert_forbidden_page(client.get(reverse("incidents:create")), said(REPORTERS_ONLY, language))
    in_language(client, language).force_login(demo["net_contact"])
    assert_forbidden_page(client.get(reverse("complaints:console")), said(HOTLINE_ONLY, language))


def test_the_api_still_answers_403_in_json(api_client, demo, dispatched):  # noqa: F811
    api_client.force_authenticate(demo["cs_leader"])
    response = api_client.post(f"/api/v1/incidents/{dispatched.pk}/acknowledge/", format="json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["errors"][0]["detail"]
    assert detail == said(FORBIDDEN["acknowledge"], "zh-hans", department="网络部")


def test_recording_a_phone_call_is_the_cs_departments(client, demo, dispatched):  # noqa: F811
    from alerts.models import AlertRecipient

    recipient = AlertRecipient.objects.filter(incident=dispatched).first()
    assert recipient is not None
    client.force_login(demo["net_contact"])  # reached by the alert, not its publisher
    response = client.post(reverse("alerts:phone", args=[recipient.pk]))
    with translation.override("zh-hans"):
        message = translation.gettext("The customer-service department records the phone calls.")
    assert_forbidden_page(response, message)
    recipient.refresh_from_db()
    assert recipient.phoned_at is None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "route, message",
    [
        ("accountability:violation-new", ASSESSORS_ONLY),
        ("accountability:interaction", CUSTOMER_SERVICE_ONLY),
        ("accountability:supervision", WORKING_GROUP_ONLY),
    ],
)
def test_an_accountability_page_refused_names_who_may(client, demo, route, message, language):  # noqa: F811
    # the network department's interface person: no assessor, no CS, no working group
    in_language(client, language).force_login(demo["net_contact"])
    assert_forbidden_page(client.get(reverse(route)), said(message, language))
