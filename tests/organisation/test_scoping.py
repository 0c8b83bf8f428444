"""The one scoping helper every list uses: a department sees its own, managers see all."""

import pytest

from organisation.models import Profile, Role
from organisation.selectors import scope_to_user, user_sees_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments(department_factory):
    return department_factory(code="NET"), department_factory(code="MKT")


def profiles_in(departments):
    return Profile.objects.filter(department__in=departments)


def test_department_people_see_only_their_department(user_factory, two_departments):
    net, mkt = two_departments
    alice = user_factory(department=net, roles=[Role.INTERFACE_PERSON])
    user_factory(department=mkt)
    visible = scope_to_user(profiles_in(two_departments), alice, "department")
    assert {p.department for p in visible} == {net}


@pytest.mark.parametrize(
    "role",
    [Role.WORKING_GROUP, Role.LEADERSHIP_GROUP, Role.ASSESSMENT_COMMITTEE, Role.ADMIN],
)
def test_managers_see_every_department(user_factory, two_departments, role):
    net, mkt = two_departments
    boss = user_factory(department=net, roles=[role])
    user_factory(department=mkt)
    assert user_sees_everything(boss)
    visible = scope_to_user(profiles_in(two_departments), boss, "department")
    assert {p.department for p in visible} == {net, mkt}


def test_a_department_flagged_sees_all_records_sees_everything(user_factory, two_departments):
    net, mkt = two_departments
    mkt.sees_all_records = True
    mkt.save()
    agent = user_factory(department=mkt, roles=[Role.HOTLINE_AGENT])
    user_factory(department=net)
    assert scope_to_user(profiles_in(two_departments), agent, "department").count() == 2


def test_any_of_several_paths_makes_a_record_visible(user_factory, two_departments):
    net, mkt = two_departments
    reader = user_factory(department=mkt)
    boss = user_factory(department=mkt)
    reports_to_mkt = user_factory(department=net, superior=boss)
    user_factory(department=net)  # neither in MKT nor reporting to it
    scoped = scope_to_user(
        Profile.objects.all(), reader, "department", "superior__profile__department"
    )
    assert set(scoped) == {reader.profile, boss.profile, reports_to_mkt.profile}


def test_a_person_without_department_sees_nothing(user_factory, two_departments):
    loner = user_factory(department=None)
    assert not scope_to_user(profiles_in(two_departments), loner, "department").exists()
