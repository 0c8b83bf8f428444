"""The warning-level matrix, seed 000 表-1, row by row: at, just under and just over every
threshold, both problem kinds, publicity, HQ levels, and highest-wins.

The matrix is read from the shipped data (incidents/fixtures/warning_matrix.json), so these
tests check the data that deployments get as well as the function.
"""

import json
from pathlib import Path

import pytest

from incidents.classification import Facts, RuleSpec, classify

MATRIX = json.loads(
    (
        Path(__file__).resolve().parents[2] / "incidents" / "fixtures" / "warning_matrix.json"
    ).read_text()
)
RULES = [
    RuleSpec(
        factor=r["factor"],
        level=r["level"],
        operator=r["operator"],
        threshold=r["threshold"],
        problem_kind=r["problem_kind"],
    )
    for r in MATRIX["rules"]
]


def level_of(**facts) -> str:
    facts.setdefault("business_line", "service")
    return classify(Facts(**facts), RULES).level


# (factor, value, business line, expected level) — seed 000 表-1
CASES = [
    # 影响范围: 达到5个地市 / 达到3个地市 / 达到1个地市
    ("cities", 0, "network", "none"),
    ("cities", 1, "network", "yellow"),
    ("cities", 2, "network", "yellow"),
    ("cities", 3, "network", "orange"),
    ("cities", 4, "network", "orange"),
    ("cities", 5, "network", "red"),
    ("cities", 6, "network", "red"),
    # 影响客户数, 网络或支撑问题: >50000 / >20000 / >5000
    ("customers_affected", 5000, "network", "none"),
    ("customers_affected", 5001, "network", "yellow"),
    ("customers_affected", 20000, "network", "yellow"),
    ("customers_affected", 20001, "network", "orange"),
    ("customers_affected", 50000, "business_support", "orange"),
    ("customers_affected", 50001, "business_support", "red"),
    ("customers_affected", 4999, "business_support", "none"),
    # 影响客户数, 其它问题: >5000 / >2000 / >1000
    ("customers_affected", 999, "value_added", "none"),
    ("customers_affected", 1000, "billing", "none"),
    ("customers_affected", 1001, "billing", "yellow"),
    ("customers_affected", 2000, "terminal", "yellow"),
    ("customers_affected", 2001, "terminal", "orange"),
    ("customers_affected", 5000, "service", "orange"),
    ("customers_affected", 5001, "service", "red"),
    ("customers_affected", 5001, "enterprise_product", "red"),
    ("customers_affected", 5001, "information_security", "red"),
    # 客户投诉量, 一天: >500 / >300 / >100
    ("complaints_per_day", 99, "network", "none"),
    ("complaints_per_day", 100, "network", "none"),
    ("complaints_per_day", 101, "network", "yellow"),
    ("complaints_per_day", 300, "network", "yellow"),
    ("complaints_per_day", 301, "network", "orange"),
    ("complaints_per_day", 500, "network", "orange"),
    ("complaints_per_day", 501, "network", "red"),
    # 升级投诉: 一天20件及以上 / 一天10件及以上
    ("escalated_per_day", 9, "service", "none"),
    ("escalated_per_day", 10, "service", "orange"),
    ("escalated_per_day", 11, "service", "orange"),
    ("escalated_per_day", 19, "service", "orange"),
    ("escalated_per_day", 20, "service", "red"),
    ("escalated_per_day", 21, "service", "red"),
    # 升级投诉: 一周高于5件
    ("escalated_per_week", 4, "service", "none"),
    ("escalated_per_week", 5, "service", "none"),
    ("escalated_per_week", 6, "service", "yellow"),
    # 负面影响
    ("publicity", "none", "service", "none"),
    ("publicity", "may_attract", "service", "yellow"),
    ("publicity", "recurring", "service", "orange"),
    ("publicity", "national", "service", "red"),
    # 总部层面: 一级预警 / 二级预警 / 敏感信息
    ("hq_level", "", "network", "none"),
    ("hq_level", "sensitive", "network", "yellow"),
    ("hq_level", "level2", "network", "orange"),
    ("hq_level", "level1", "network", "red"),
]


@pytest.mark.parametrize(
    ("factor", "value", "business_line", "expected"),
    CASES,
    ids=[f"{f}={v}-{b}" for f, v, b, _ in CASES],
)
def test_each_row_of_table_1(factor, value, business_line, expected):
    assert level_of(business_line=business_line, **{factor: value}) == expected


def test_the_highest_level_wins_and_every_condition_that_fired_is_given():
    # 2 cities (yellow), 25,000 network customers (orange), 12 escalated today (orange),
    # HQ level-1 (red): red, with all four reasons, highest first.
    result = classify(
        Facts(
            business_line="network",
            cities=2,
            customers_affected=25000,
            escalated_per_day=12,
            hq_level="level1",
        ),
        RULES,
    )
    assert result.level == "red"
    fired = [(r.factor, r.level, r.value, r.threshold) for r in result.reasons]
    assert fired[0] == ("hq_level", "red", "level1", "level1")
    assert ("customers_affected", "orange", 25000, 20000) in fired
    assert ("customers_affected", "yellow", 25000, 5000) in fired
    assert ("escalated_per_day", "orange", 12, 10) in fired
    assert ("cities", "yellow", 2, 1) in fired
    assert [r.level for r in result.reasons] == sorted(
        (r.level for r in result.reasons), key=["red", "orange", "yellow"].index
    )


def test_no_condition_no_level():
    result = classify(Facts(business_line="network"), RULES)
    assert result.level == "none"
    assert result.reasons == ()


def test_the_rule_set_is_data():
    # An extra rule changes the answer: the matrix is data, nothing is hard-coded.
    stricter = [*RULES, RuleSpec("complaints_per_day", "red", "gt", "50")]
    assert classify(Facts(business_line="network", complaints_per_day=51), stricter).level == "red"
