"""Editing the warning matrix in the admin creates a new version; old incidents keep theirs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.models import ClassificationRule, ClassificationRuleSet

pytestmark = pytest.mark.django_db


def rule_set_form(rule_set, *, note, threshold_of=None):
    """The change form of ``rule_set`` as the admin posts it, every rule as shown, with
    ``threshold_of`` ({(factor, level): threshold}) typed over."""
    rules = list(rule_set.rules.order_by("pk"))
    data = {
        "change_note": note,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        threshold = (threshold_of or {}).get((rule.factor, rule.level), rule.threshold)
        data |= {
            f"rules-{i}-id": str(rule.pk),
            f"rules-{i}-rule_set": str(rule_set.pk),
            f"rules-{i}-factor": rule.factor,
            f"rules-{i}-problem_kind": rule.problem_kind,
            f"rules-{i}-level": rule.level,
            f"rules-{i}-operator": rule.operator,
            f"rules-{i}-threshold": threshold,
            f"rules-{i}-citation": rule.citation,
        }
    return data


def change_url(rule_set):
    return reverse("admin:incidents_classificationruleset_change", args=[rule_set.pk])


def test_saving_the_matrix_creates_the_next_version(client, demo, make_incident):
    before = make_incident(cities=("CC", "JL", "SP"))  # orange under version 1
    v1 = ClassificationRuleSet.objects.get()
    rules = list(v1.rules.order_by("pk"))
    client.force_login(demo["admin"])
    data = {
        "change_note": "橙色地市阈值调整为 2 个",
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


@time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_save_and_continue_opens_the_new_version_with_the_note_typed(client, demo):
    v1 = ClassificationRuleSet.objects.get()
    v1.note = "依据 2024 版管理办法表-1"
    v1.save()
    v1_rules = {(r.factor, r.problem_kind, r.level): r.threshold for r in v1.rules.all()}
    client.force_login(demo["admin"])

    # the form offers an empty note for the new version, not version 1's words
    page = client.get(change_url(v1))
    assert page.status_code == 200
    note_input = page.context["adminform"].form["change_note"]
    assert note_input.value() in (None, "")
    assert note_input.field.required
    assert "v2" in str(note_input.help_text)
    assert v1.note in page.content.decode()  # shown read-only as version 1's own note

    data = rule_set_form(v1, note="红色媒体阈值下调", threshold_of={("cities", "orange"): "2"})
    data["_continue"] = "1"
    response = client.post(change_url(v1), data)

    v2 = ClassificationRuleSet.objects.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == change_url(v2)
    assert (v2.note, v2.created_by) == ("红色媒体阈值下调", demo["admin"])
    assert v2.created_at == datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert v2.rules.get(factor="cities", level="orange").threshold == "2"
    # version 1 is as it was
    v1_after = ClassificationRuleSet.objects.get(pk=v1.pk)
    assert (v1_after.version, v1_after.note) == (1, "依据 2024 版管理办法表-1")
    assert v1_after.created_at == v1.created_at
    assert {
        (r.factor, r.problem_kind, r.level): r.threshold for r in v1_after.rules.all()
    } == v1_rules

    landed = client.get(response["Location"])
    assert landed.context["original"] == v2
    assert landed.context["adminform"].form["change_note"].value() in (None, "")
    shown = [str(message) for message in landed.context["messages"]]
    assert len(shown) == 1
    assert "v2" in shown[0] and "v1" in shown[0]
    assert change_url(v2) in shown[0]
    assert "红色媒体阈值下调" in landed.content.decode()


def test_a_new_version_needs_its_own_note(client, demo):
    v1 = ClassificationRuleSet.objects.get()
    client.force_login(demo["admin"])
    response = client.post(change_url(v1), rule_set_form(v1, note="") | {"_continue": "1"})
    assert response.status_code == 200
    assert "change_note" in response.context["adminform"].form.errors
    assert ClassificationRuleSet.objects.count() == 1


def test_save_returns_to_the_list_naming_the_new_version(client, demo):
    v1 = ClassificationRuleSet.objects.get()
    client.force_login(demo["admin"])
    response = client.post(
        change_url(v1), rule_set_form(v1, note="无变化，仅复核") | {"_save": "1"}
    )
    v2 = ClassificationRuleSet.objects.get(version=2)
    assert response["Location"] == reverse("admin:incidents_classificationruleset_changelist")
    listing = client.get(response["Location"])
    (message,) = [str(m) for m in listing.context["messages"]]
    assert change_url(v2) in message


def test_adding_a_rule_set_takes_the_note_typed(client, demo):
    client.force_login(demo["admin"])
    response = client.post(
        reverse("admin:incidents_classificationruleset_add"),
        {
            "change_note": "空白矩阵",
            "rules-TOTAL_FORMS": "0",
            "rules-INITIAL_FORMS": "0",
            "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000",
            "_continue": "1",
        },
    )
    v2 = ClassificationRuleSet.objects.get(version=2)
    assert response["Location"] == change_url(v2)
    assert v2.note == "空白矩阵"


def test_a_rule_with_a_bad_threshold_is_refused(client, demo):
    v1 = ClassificationRuleSet.objects.get()
    rule = v1.rules.get(factor="publicity", level="red")
    rule.threshold = "very bad"
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "threshold" in error.value.message_dict
