from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from organisation.demo import DEMO_PASSWORD
from organisation.models import City, Department, DepartmentKind, Role
from organisation.selectors import department_people

pytestmark = pytest.mark.django_db

SEED_000_DEPARTMENT_KINDS = {
    DepartmentKind.EXECUTIVE_OFFICE,
    DepartmentKind.GENERAL_OFFICE,
    DepartmentKind.MARKETING,
    DepartmentKind.DATA,
    DepartmentKind.ENTERPRISE_CUSTOMERS,
    DepartmentKind.NETWORK,
    DepartmentKind.LEGAL_SECURITY,
    DepartmentKind.CUSTOMER_SERVICE,
    DepartmentKind.CS_CENTRE,
    DepartmentKind.DIRECT_UNIT,
    DepartmentKind.BRANCH,
}


def seed(settings) -> str:
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_loads_the_province_with_a_branch_per_city(settings):
    seed(settings)
    assert City.objects.count() == 9
    assert set(City.objects.values_list("name_zh", flat=True)) == {
        "长春", "吉林", "四平", "辽源", "通化", "白山", "松原", "白城", "延边",
    }  # fmt: skip
    for city in City.objects.all():
        assert Department.objects.filter(kind=DepartmentKind.BRANCH, city=city).count() == 1
    assert set(Department.objects.values_list("kind", flat=True)) == SEED_000_DEPARTMENT_KINDS


def test_every_department_has_an_interface_person_and_a_leader(settings):
    seed(settings)
    for department in Department.objects.exclude(kind=DepartmentKind.EXECUTIVE_OFFICE):
        contacts = department_people(department, Role.INTERFACE_PERSON)
        leaders = department_people(department, Role.DEPARTMENT_LEADER)
        assert contacts.count() == 1, department.code
        assert leaders.count() == 1, department.code
        # the interface person reports to the department's leader
        assert contacts.get().profile.superior == leaders.get()


def test_groups_agents_and_manager(settings):
    seed(settings)
    by_role = {role: User.objects.filter(groups__name=role).count() for role in Role}
    assert by_role[Role.LEADERSHIP_GROUP] >= 2
    assert by_role[Role.WORKING_GROUP] >= 1
    assert by_role[Role.HOTLINE_AGENT] >= 2
    assert by_role[Role.ASSESSMENT_COMMITTEE] >= 1
    manager = User.objects.get(username="manager")
    assert manager.check_password(DEMO_PASSWORD)


def test_prints_a_table_of_logins_and_is_safe_to_run_twice(settings):
    first = seed(settings)
    users = User.objects.count()
    second = seed(settings)
    assert User.objects.count() == users
    assert first == second
    lines = second.splitlines()
    assert lines[0].split() == ["username", "name", "department", "roles"]
    assert any(line.startswith("hotline1 ") for line in lines)
    assert DEMO_PASSWORD in lines[-1]


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo", stdout=StringIO())
