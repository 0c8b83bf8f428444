"""Keyset pages read branch by branch (``core.keyset``): the parts the lists' tests do not
reach."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.keyset import keyset_page
from incidents.models import Incident
from incidents.selectors import INCIDENT_ORDER

pytestmark = pytest.mark.django_db


def test_branches_each_of_nothing_read_an_empty_page():
    nothing = [Q(pk__in=[]), Q(number__in=[])]
    page = keyset_page(Incident.objects.filter(pk__in=[]), INCIDENT_ORDER, None, 5, nothing)
    assert (page.items, page.next_cursor, page.previous_cursor) == ([], None, None)


@pytest.mark.parametrize("distinct", [False, True], ids=["plain", "distinct"])
def test_branches_read_one_by_one_make_the_page_of_their_rows_in_order(make_incident, distinct):
    """A DISTINCT list (an API filter of several values makes one) selects its ordering in
    each branch's part too: the page still reads the ids alone."""
    made = [make_incident(title=f"故障 {i}") for i in range(7)]
    now = timezone.now()
    for i, incident in enumerate(made):  # newest first: made[0]
        Incident.objects.filter(pk=incident.pk).update(created_at=now - timedelta(hours=i))
    ids = [incident.pk for incident in made]
    wanted = Incident.objects.filter(pk__in=ids[:2] + ids[3:6])
    if distinct:
        wanted = wanted.distinct()
    branches = [Q(pk__in=ids[3:6]), Q(pk__in=ids[:2]), Q(pk__in=[])]
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(wanted, INCIDENT_ORDER, None, 3, branches)
    assert [i.pk for i in page] == [ids[0], ids[1], ids[3]]
    # one statement; the branches in it, each on its own, where the database can
    (statement,) = (q["sql"] for q in queries)
    branched = connection.features.supports_slicing_ordering_in_compound
    assert ("UNION ALL" in statement) is branched
    rest = keyset_page(wanted, INCIDENT_ORDER, page.next_cursor, 3, branches)
    assert [i.pk for i in rest] == ids[4:6] and rest.next_cursor is None
