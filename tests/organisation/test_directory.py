import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from organisation.demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    seed_demo()
    client.force_login(User.objects.get(username="hotline1"))
    return client


def test_lists_every_department_with_its_contacts(signed_in):
    page = signed_in.get(reverse("directory")).content.decode()
    assert page.count("<tr>") == 19 + 1  # 19 departments and the header row
    assert "网络部" in page and "长春分公司" in page


def test_search_narrows_the_rows_and_htmx_gets_only_the_rows(signed_in):
    response = signed_in.get(reverse("directory"), {"q": "长春"}, HTTP_HX_REQUEST="true")
    rows = response.content.decode()
    assert "<table" not in rows
    assert rows.count("<tr>") == 1 and "长春分公司" in rows


def test_filter_by_kind(signed_in):
    rows = signed_in.get(
        reverse("directory"), {"kind": "branch"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert rows.count("<tr>") == 9 and "长春分公司" in rows and "网络部" not in rows


def test_a_search_by_mobile_finds_listed_contacts_only(signed_in):
    """The directory lists interface persons and leaders; a hotline agent's number is not a
    way to learn which department they belong to."""
    agent = User.objects.get(username="hotline2").profile
    contact = User.objects.get(username="cc_contact").profile

    def rows(query):
        return signed_in.get(reverse("directory"), {"q": query}, HTTP_HX_REQUEST="true")

    assert "没有匹配的部门" in rows(agent.mobile).content.decode()  # no department found
    found = rows(contact.mobile).content.decode()
    assert found.count("<tr>") == 1 and "长春分公司" in found
