"""When a policy applies: each domain declares its own conditions; the clock names none."""

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from complaints.models import Complaint
from deadlines import conditions
from deadlines.models import DeadlinePolicy
from incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ("always", {}, True),
        ("hq_issued", {"source": "hq"}, True),
        ("hq_issued", {"source": "business_risk"}, False),
        ("hq_level1", {"source": "hq", "hq_level": "level1"}, True),
        ("hq_level1", {"source": "hq", "hq_level": "level2"}, False),
        ("hq_level2_or_sensitive", {"source": "hq", "hq_level": "sensitive"}, True),
        ("hq_level2_or_sensitive", {"source": "litigation", "hq_level": "level2"}, False),
        ("hq_or_red_orange", {"source": "business_risk", "level": "orange"}, True),
        ("hq_or_red_orange", {"source": "business_risk", "level": "yellow"}, False),
    ],
)
def test_the_incident_conditions(condition, facts, expected):
    incident = Incident(**{"source": "business_risk", "hq_level": "", "level": "yellow", **facts})
    assert conditions.applies(condition, incident) is expected


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ("fault_ticket", {"business_line": "network"}, True),
        ("fault_ticket", {"business_line": "billing"}, False),
        ("general_complaint", {"severity": "general"}, True),
        ("serious_complaint", {"severity": "batch"}, True),
        ("serious_complaint", {"severity": "general"}, False),
    ],
)
def test_the_complaint_conditions(condition, facts, expected):
    complaint = Complaint(**{"business_line": "network", "severity": "general", **facts})
    assert conditions.applies(condition, complaint) is expected


def test_an_unknown_condition_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="moon"):
        conditions.applies("moon", Incident())


def test_a_policy_names_only_a_condition_of_its_own_kind_of_record(demo):
    offered = dict(conditions.choices("complaint"))
    assert "serious_complaint" in offered and "hq_issued" not in offered and "always" in offered
    policy = DeadlinePolicy.objects.get(code="complaint-general-answer")
    policy.applies_when = "hq_issued"
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert list(refused.value.message_dict) == ["applies_when"]


def test_a_policy_is_edited_in_the_admin(client, demo):
    """The admin's policy form offers the registered conditions and saves a change."""
    policy = DeadlinePolicy.objects.get(code="complaint-general-answer")
    client.force_login(demo["admin"])
    url = reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk])
    page = client.get(url).content.decode()
    assert 'value="serious_complaint"' in page and 'value="hq_level1"' in page
    data = {k: v for k, v in model_to_dict(policy).items() if v is not None}
    data |= {"amount": 4, "reminder_fractions": "[]", "windows": "[]"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.amount == 4
    response = client.post(url, data | {"applies_when": "moon"})
    assert (
        response.status_code == 200 and "applies_when" in response.context["adminform"].form.errors
    )
