"""``core.links.record_url`` gives what ``reverse`` gives, under any script prefix."""

import pytest
from django.urls import reverse, set_script_prefix

from core.links import record_url


@pytest.mark.parametrize(
    "view", ["incidents:detail", "complaints:detail", "accountability:violation"]
)
@pytest.mark.parametrize("pk", [1, 42, 10_000_019])
def test_a_records_page_is_where_reverse_puts_it(view, pk):
    assert record_url(view, pk) == reverse(view, kwargs={"pk": pk})


def test_a_script_prefix_is_kept_apart():
    plain = record_url("incidents:detail", 7)
    set_script_prefix("/fenghuo/")
    try:
        assert record_url("incidents:detail", 7) == "/fenghuo" + plain
        assert record_url("incidents:detail", 7) == reverse("incidents:detail", kwargs={"pk": 7})
    finally:
        set_script_prefix("/")
    assert record_url("incidents:detail", 7) == plain
