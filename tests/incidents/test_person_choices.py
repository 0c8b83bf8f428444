"""Forms that offer people to choose from read them with their profiles in one query: the
names they show would otherwise cost a query per person (the hotline centre has dozens)."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.forms import BulkActionForm, HandOverForm
from complaints.models import Complaint
from incidents.forms import ActionItemForm
from organisation.models import Department, Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(demo):
    """Eight more people in the CS department (the hotline centre's)."""
    department = Department.objects.get(code="CS")
    for i in range(8):
        person = User.objects.create(username=f"agent{i:02d}")
        Profile.objects.create(user=person, department=department, full_name=f"坐席{i:02d}")
    return department


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (lambda demo, cs: BulkActionForm(user=demo["cs_contact"]), "handler"),
        (lambda demo, cs: HandOverForm(complaint=Complaint(department=cs)), "handler"),
        (lambda demo, cs: ActionItemForm(), "owner"),
    ],
    ids=["bulk action", "hand over", "action item"],
)
def test_the_people_offered_are_read_in_one_query(crowded, demo, form, field):
    bound = form(demo, crowded)[field]
    with CaptureQueriesContext(connection) as queries:
        html = str(bound)
    assert "坐席07" in html
    assert len(queries) == 1, [q["sql"][:120] for q in queries]
