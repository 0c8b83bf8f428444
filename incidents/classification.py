"""The warning-level matrix (seed 000 表-1) as a pure function over facts and a rule set.

Any one condition met gives that level; the highest level met wins; every condition that fired
is returned, so that people can see *why* an incident has its level.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Ranks of the levels, lowest first; kept here so the rules need no database.
LEVEL_ORDER = ("none", "yellow", "orange", "red")
# Business lines whose customer counts use the network / support thresholds (REST contract).
NETWORK_SUPPORT_LINES = frozenset({"network", "business_support"})
NUMERIC_FACTORS = frozenset(
    {
        "cities",
        "customers_affected",
        "complaints_per_day",
        "escalated_per_day",
        "escalated_per_week",
    }
)


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level)


def higher_level(a: str, b: str) -> str:
    return a if level_rank(a) >= level_rank(b) else b


@dataclass(frozen=True)
class Facts:
    """What is known of an incident that the matrix looks at."""

    business_line: str
    cities: int = 0
    customers_affected: int = 0
    complaints_per_day: int = 0
    escalated_per_day: int = 0
    escalated_per_week: int = 0
    publicity: str = "none"
    hq_level: str = ""

    @property
    def problem_kind(self) -> str:
        return "network_support" if self.business_line in NETWORK_SUPPORT_LINES else "other"


@dataclass(frozen=True)
class RuleSpec:
    factor: str
    level: str
    operator: str  # "gt", "gte" or "eq"
    threshold: str
    problem_kind: str = "any"


@dataclass(frozen=True)
class Reason:
    factor: str
    level: str
    value: int | str
    threshold: int | str
    operator: str

    def as_dict(self) -> dict:
        return {
            "factor": self.factor,
            "level": self.level,
            "value": self.value,
            "threshold": self.threshold,
            "operator": self.operator,
        }


@dataclass(frozen=True)
class Classification:
    level: str
    reasons: tuple[Reason, ...]


def _fires(rule: RuleSpec, value: int | str) -> bool:
    if rule.factor in NUMERIC_FACTORS:
        number, threshold = int(value), int(rule.threshold)
        if rule.operator == "gt":
            return number > threshold
        if rule.operator == "gte":
            return number >= threshold
        return number == threshold
    # publicity and HQ level are named values: the rule fires on its value
    return value != "" and value == rule.threshold


def classify(facts: Facts, rules: Iterable[RuleSpec]) -> Classification:
    """Return the highest level any rule gives and every rule that fired, highest first."""
    fired: list[Reason] = []
    for rule in rules:
        if rule.problem_kind not in ("any", facts.problem_kind):
            continue
        value = getattr(facts, rule.factor)
        if _fires(rule, value):
            threshold: int | str = (
                int(rule.threshold) if rule.factor in NUMERIC_FACTORS else rule.threshold
            )
            fired.append(Reason(rule.factor, rule.level, value, threshold, rule.operator))
    fired.sort(key=lambda reason: (-level_rank(reason.level), reason.factor))
    level = fired[0].level if fired else "none"
    return Classification(level=level, reasons=tuple(fired))


def reasons_as_json(reasons: Sequence[Reason]) -> list[dict]:
    return [reason.as_dict() for reason in reasons]
