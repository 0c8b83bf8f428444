"""The shipped deadline policies (seeds 000, 002, 003, 004), loaded by data migrations."""

import json
from pathlib import Path

DEADLINE_POLICIES = Path(__file__).resolve().parent / "fixtures" / "deadline_policies.json"


def load_deadline_policies(policy_model, path: Path = DEADLINE_POLICIES) -> int:
    """Create the shipped deadline policies of ``path`` that do not exist yet (by code); an
    admin's edits are never overwritten. Takes the model class so that a data migration can
    pass its own (other apps ship their policies in the same format)."""
    created = 0
    for row in json.loads(path.read_text(encoding="utf-8")):
        _, new = policy_model.objects.get_or_create(code=row["code"], defaults=row)
        created += new
    return created
