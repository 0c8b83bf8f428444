"""Editing the warning matrix in the admin creates a new version; old incidents keep theirs."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.models import ClassificationRule, ClassificationRuleSet

pytestmark = pytest.mark.django_db


def test_saving_the_matrix_creates_the_next_version(client, demo, make_incident):
    before = make_incident(cities=("CC", "JL", "SP"))  # orange under version 1
    v1 = ClassificationRuleSet.objects.get()
    rules = list(v1.rules.order_by("pk"))
    client.force_login(demo["admin"])
    data = {
        "note": "橙色地市阈值调整为 2 个",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        threshold = "2" if (rule.factor, rule.level) == ("cities", "orange") else rule.threshold
        data |= {
            f"rules-{i}-id": str(rule.pk),
            f"rules-{i}-rule_set": str(v1.pk),
            f"rules-{i}-factor": rule.factor,
            f"rules-{i}-problem_kind": rule.problem_kind,
            f"rules-{i}-level": rule.level,
            f"rules-{i}-operator": rule.operator,
            f"rules-{i}-threshold": threshold,
            f"rules-{i}-citation": rule.citation,
        }
    response = client.post(
        reverse("admin:incidents_classificationruleset_change", args=[v1.pk]), data
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    v2 = ClassificationRuleSet.objects.get(version=2)
    assert v2.rules.count() == len(rules)
    assert v2.rules.get(factor="cities", level="orange").threshold == "2"
    # version 1 is untouched and still names the incidents it classified
    assert v1.rules.get(factor="cities", level="orange").threshold == "3"
    before.refresh_from_db()
    assert before.rule_set == v1
    after = make_incident(cities=("CC", "JL"))
    assert (after.level, after.rule_set) == ("orange", v2)
    assert ClassificationRule.objects.count() == 2 * len(rules)


def test_a_rule_with_a_bad_threshold_is_refused(client, demo):
    v1 = ClassificationRuleSet.objects.get()
    rule = v1.rules.get(factor="publicity", level="red")
    rule.threshold = "very bad"
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "threshold" in error.value.message_dict
