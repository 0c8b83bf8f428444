"""The shipped catalogue (seeds 002, 003, 004): loaded by a data migration, editable after."""

import json
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "fixtures" / "catalogue.json"


def load_catalogue(rule_model, grade_model, grade_rule_model) -> None:
    """Create what does not exist yet; an administrator's edits are never overwritten."""
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    fields = {field.name for field in rule_model._meta.get_fields()}
    for row in data["rules"]:
        defaults = {key: value for key, value in row.items() if key in fields}
        if "per_hour" in fields:  # the model as it was before rules were priced per day too
            defaults["per_hour"] = row.get("priced_per") == "hour"
        rule_model.objects.get_or_create(code=row["code"], defaults=defaults)
    for row in data["cascade_grades"]:
        grade_model.objects.get_or_create(grade=row["grade"], defaults=row)
    for row in data["grade_rules"]:
        grade_rule_model.objects.get_or_create(grade=row["grade"], defaults=row)
