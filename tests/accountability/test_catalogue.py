"""The catalogue, row by row against the seeds: every yuan amount (seed 003), the first-ask
penalties (seed 002), the cascaded points (seed 004), doubling and first/subsequent."""

from datetime import UTC, datetime, timedelta

import pytest

from accountability import penalties
from accountability.models import CascadeGrade, PenaltyRule

pytestmark = pytest.mark.django_db

# code, yuan of the first occurrence — seed 003 第八条 / 第九条 (domain.md §4)
YUAN = [
    ("reply-late", 20),  # 工单、邮件未及时回复
    ("email-unanswered-72h", 50),
    ("fault-three-clears", 20),
    ("complaint-three-clears", 30),
    ("false-reply", 200),
    ("outage-not-announced", 50),
    ("key-outage-not-dispatched", 100),
    ("missed-ticket", 50),
    ("wrong-dispatch", 50),
    ("missing-customer-fields", 20),
    ("callback-omission", 30),
    ("callback-late", 20),
    ("no-first-ask", 100),
    ("no-contact-30min", 20),
    ("delay-not-reported", 30),
    ("repair-delay", 8),  # per hour
    ("complaint-hotline", 100),
    ("complaint-branch", 100),
    ("complaint-city-authority", 200),
    ("complaint-in-person", 300),
    ("complaint-province", 300),
    ("complaint-provincial-authority", 500),
    ("complaint-ministry", 1000),
    ("media-city", 2000),
    ("media-provincial", 3000),
    ("key-customer-complaint", 300),
    ("escalated-not-handled", 200),
]


def spec(code: str) -> penalties.RuleSpec:
    rule = PenaltyRule.objects.get(code=code)
    return penalties.RuleSpec(
        yuan=rule.yuan,
        yuan_subsequent=rule.yuan_subsequent,
        priced_per=rule.priced_per,
        doubles_when=rule.doubles_when,
    )


@pytest.mark.parametrize(("code", "amount"), YUAN, ids=[c for c, _ in YUAN])
def test_every_row_of_the_yuan_schedule(code, amount):
    assert penalties.yuan(spec(code)) == amount


def test_the_ministry_costs_1000_first_then_2000_each():
    rule = spec("complaint-ministry")
    assert [penalties.yuan(rule, occurrence=n) for n in (1, 2, 3)] == [1000, 2000, 2000]


def test_repair_delay_is_8_yuan_per_hour():
    assert penalties.yuan(spec("repair-delay"), units_late=5) == 40
    assert penalties.yuan(spec("repair-delay"), units_late=0) == 8  # breached: one hour at least
    assert penalties.yuan(spec("missed-ticket"), units_late=5) == 50  # per occurrence


DUE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

# priced per, done after the due time, units late — a part of an hour (a day) counts whole
UNITS_LATE = [
    ("hour", timedelta(hours=3), 3),  # seed 003 第九条(一)12: 每时考核8元
    ("hour", timedelta(hours=2, minutes=10), 3),
    ("hour", timedelta(seconds=1), 1),
    ("hour", timedelta(0), 0),  # on time
    ("hour", -timedelta(hours=1), 0),
    ("day", timedelta(hours=25), 2),
    ("day", timedelta(days=3), 3),
    ("occurrence", timedelta(hours=3), 0),
]


@pytest.mark.parametrize(("per", "after", "units"), UNITS_LATE)
def test_units_late_come_from_the_breach(per, after, units):
    assert penalties.units_late(per, due=DUE, done=DUE + after) == units


def test_a_key_customer_who_leaves_doubles_it():
    assert penalties.yuan(spec("key-customer-complaint"), doubled=True) == 600


def test_a_repeat_complaint_doubles_the_200_for_not_handling_in_time():
    assert penalties.yuan(spec("escalated-not-handled"), doubled=True) == 400
    assert penalties.yuan(spec("complaint-branch"), doubled=True) == 100  # no doubling rule


def test_the_first_ask_penalty_of_seed_002():
    rule = PenaltyRule.objects.get(code="first-ask")
    assert (rule.bonus_months_min, rule.bonus_months_max, rule.circulated_criticism) == (1, 3, True)


# grade: responsible / department head / direct superior / superior's superior (seed 004)
GRADES = [(1, (15, 10, 8, 5)), (2, (10, 8, 5, 3)), (3, (5, 3, 2, 0))]


@pytest.mark.parametrize(("grade", "points"), GRADES)
def test_cascades_give_the_seed_points(grade, points):
    row = CascadeGrade.objects.get(grade=grade)
    spec_ = penalties.GradeSpec(
        row.responsible, row.department_head, row.direct_superior, row.superior_of_superior
    )
    chain = [
        ("responsible", "张"),
        ("department_head", "王"),
        ("direct_superior", "李"),
        ("superior_of_superior", "赵"),
    ]
    shares = {role: value for role, _person, value in penalties.cascade(spec_, chain)}
    expected = dict(
        zip(
            ["responsible", "department_head", "direct_superior", "superior_of_superior"],
            points,
            strict=True,
        )
    )
    assert shares == {role: value for role, value in expected.items() if value}


def test_a_person_met_twice_in_the_line_keeps_the_larger_share():
    spec_ = penalties.GradeSpec(5, 3, 2, 0)
    shares = penalties.cascade(
        spec_, [("responsible", "张"), ("department_head", "张"), ("direct_superior", "李")]
    )
    assert shares == [("responsible", "张", 5), ("direct_superior", "李", 2)]
