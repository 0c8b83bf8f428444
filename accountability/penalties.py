"""What a confirmed violation costs, as pure functions over the catalogue's rows.

Seed 003: yuan per occurrence, or per hour late; "first 1,000, then 2,000 each"; doubled for
a key customer who leaves or a customer who complains again. Seed 002: 1–3 months of
performance bonus for the responsible person, their supervising leader and the unit head, and
circulated criticism. Seed 004: points along the line of responsibility by grade."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The length of one unit of a rule priced per hour or per day late.
UNIT = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class RuleSpec:
    yuan: int = 0
    yuan_subsequent: int | None = None
    priced_per: str = "occurrence"
    doubles_when: str = ""
    bonus_months: int = 0
    circulated_criticism: bool = False


@dataclass(frozen=True)
class GradeSpec:
    responsible: int
    department_head: int
    direct_superior: int
    superior_of_superior: int


def units_late(priced_per: str, *, due: datetime, done: datetime) -> int:
    """How many hours (or days) ``done`` came after ``due``, a part counting whole: a repair
    finished 2 h 10 min late is 3 hours late. Zero for a rule priced per occurrence."""
    unit = UNIT.get(priced_per)
    if unit is None or done <= due:
        return 0
    return math.ceil((done - due) / unit)


def yuan(rule: RuleSpec, *, occurrence: int = 1, units_late: int = 0, doubled: bool = False) -> int:
    """The yuan of one violation; ``occurrence`` counts this rule's violations of the unit in
    the period, this one included (1 = the first); ``units_late`` the hours or days late of a
    rule priced so (at least one: it was breached)."""
    amount = rule.yuan
    if rule.yuan_subsequent is not None and occurrence > 1:
        amount = rule.yuan_subsequent
    if rule.priced_per in UNIT:
        amount *= max(units_late, 1)
    if doubled and rule.doubles_when:
        amount *= 2
    return amount


def cascade(
    grade: GradeSpec, people: list[tuple[str, object | None]]
) -> list[tuple[str, object, int]]:
    """Points for each role along the line of responsibility: ``people`` lists (role, person)
    from the responsible person up; a person met twice keeps the larger share, roles without a
    person (or without points) are skipped."""
    points = {
        "responsible": grade.responsible,
        "department_head": grade.department_head,
        "direct_superior": grade.direct_superior,
        "superior_of_superior": grade.superior_of_superior,
    }
    shares: dict[object, tuple[str, int]] = {}
    for role, person in people:
        if person is None or points[role] == 0:
            continue
        if person not in shares or shares[person][1] < points[role]:
            shares[person] = (role, points[role])
    return [(role, person, value) for person, (role, value) in shares.items()]
