"""Keyset pages read branch by branch (``core.keyset``): the parts the lists' tests do not
reach."""

import pytest
from django.db.models import Q

from core.keyset import Key, keyset_page
from organisation.models import Department

pytestmark = pytest.mark.django_db

ORDER = (Key("id"),)


def test_branches_each_of_nothing_read_an_empty_page():
    nothing = [Q(pk__in=[]), Q(code__in=[])]
    page = keyset_page(Department.objects.filter(pk__in=[]), ORDER, None, 5, nothing)
    assert (page.items, page.next_cursor, page.previous_cursor) == ([], None, None)


def test_branches_read_one_by_one_make_the_page_of_their_rows_in_order(demo):
    codes = list(Department.objects.order_by("id").values_list("code", flat=True))
    assert len(codes) >= 6
    wanted = Q(code__in=codes[:2]) | Q(code__in=codes[3:6])
    branches = [Q(code__in=codes[3:6]), Q(code__in=codes[:2]), Q(code__in=[])]
    page = keyset_page(Department.objects.filter(wanted), ORDER, None, 3, branches)
    assert [d.code for d in page] == [codes[0], codes[1], codes[3]]
    rest = keyset_page(Department.objects.filter(wanted), ORDER, page.next_cursor, 3, branches)
    assert [d.code for d in rest] == codes[4:6] and rest.next_cursor is None
