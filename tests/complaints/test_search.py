"""The complaint list's search box (`?q=` on the page and on `/api/v1/complaints/`): by number,
customer name, account, full phone number and any substring of the text, scoped as the list,
newest first; a masked phone cannot be found piece by piece. PostgreSQL looks the text up in a
GIN index of its bigrams; SQLite (`make pytest-sqlite` runs this file too) scans."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from complaints import services as cs
from complaints.models import Complaint
from complaints.selectors import complaint_list, complaints_search
from core.search import bigrams
from organisation.models import City, Department

pytestmark = pytest.mark.django_db


def _take(demo, minutes_ago, **fields):
    data = {
        "channel": "hotline",
        "customer_name": "王先生",
        "customer_phone": "13812345678",
        "customer_account": "0431-88886666",
        "city": City.objects.get(code="CC"),
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": "network",
        "summary": "家里信号差",
        "description": "近三天晚上信号差。",
        **fields,
    }
    complaint = cs.complaint_create(actor=demo["hotline1"], **data)
    Complaint.objects.filter(pk=complaint.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return complaint


@pytest.fixture
def made(demo):
    """Five complaints, the newest first; ``cut`` and ``slow`` dispatched to the network
    department, ``bill`` to the enterprise department."""
    made = {
        "cut": _take(
            demo,
            1,
            customer_name="李建国",
            customer_phone="13900001111",
            customer_account="KD0000000001",
            summary="宽带断网，影响办公",
            description="用户反映朝阳区锦绣花园2栋宽带断网。",
        ),
        "slow": _take(
            demo,
            2,
            customer_name="张丽",
            customer_phone="13900002222",
            customer_account="KD0000000002",
            summary="网速很慢",
            description="晚上宽带断网后网速很慢。",
        ),
        "bill": _take(
            demo,
            3,
            customer_name="赵敏",
            customer_phone="13900003333",
            customer_account="KD0000000003",
            summary="优惠50%未到账",
            description="账号a_b的积分兑换失败。",
        ),
        "bill2": _take(
            demo,
            4,
            customer_name="钱敏",
            customer_phone="13900004444",
            customer_account="KD0000000004",
            summary="优惠500元未到账",
            description="账号axb的积分兑换失败。",
        ),
        "other": _take(demo, 5, customer_name="孙伟", customer_phone="13900005555"),
    }
    network, enterprise = Department.objects.get(code="NET"), Department.objects.get(code="ENT")
    for key, department in (("cut", network), ("slow", network), ("bill", enterprise)):
        cs.complaint_dispatch(
            complaint_id=made[key].pk, actor=demo["hotline1"], department=department
        )
    return {key: Complaint.objects.get(pk=complaint.pk) for key, complaint in made.items()}


def found(demo, q, user="manager"):
    """The complaints ``q`` finds for ``user`` through the list's selector, newest first."""
    rows = complaints_search(complaint_list(user=demo[user]), q)
    return list(rows.values_list("number", flat=True))


def numbers(made, *keys):
    return [made[key].number for key in keys]


def test_by_number_in_any_case_and_by_its_beginning(demo, made):
    number = made["bill"].number
    assert found(demo, number) == [number]
    assert found(demo, number.lower()) == [number]
    assert found(demo, f"  {number} ") == [number]
    day = number.rsplit("-", 1)[0]  # CMP-20261122: the day's complaints
    # the day's complaints: these, and any other of that day the database holds
    of_the_day = set(
        Complaint.objects.filter(number__startswith=day).values_list("number", flat=True)
    )
    assert set(found(demo, day)) == of_the_day >= {c.number for c in made.values()}


def test_by_customer_name_whole_or_in_part(demo, made):
    assert found(demo, "李建国") == numbers(made, "cut")
    assert found(demo, "建国") == numbers(made, "cut")
    assert found(demo, "敏") == []  # one character is no text search
    assert found(demo, "赵敏") == numbers(made, "bill")


def test_by_account_only_in_full(demo, made):
    assert found(demo, "KD0000000002") == numbers(made, "slow")
    assert found(demo, "KD00000000") == []
    assert found(demo, "0000000002") == []


def test_by_full_phone_number_only(demo, made):
    assert found(demo, "13900002222") == numbers(made, "slow")
    assert found(demo, "139 0000 2222") == numbers(made, "slow")
    assert found(demo, "139-0000-2222") == numbers(made, "slow")
    # no part of a phone number finds it: masked digits cannot be guessed one by one
    for part in ("1390000222", "2222", "00002222", "139", "3900002222"):
        assert found(demo, part) == [], part


def test_chinese_substrings_of_two_and_four_characters_newest_first(demo, made):
    assert found(demo, "断网") == numbers(made, "cut", "slow")  # summary, details
    assert found(demo, "宽带断网") == numbers(made, "cut", "slow")
    assert found(demo, "网速很慢") == numbers(made, "slow")
    assert found(demo, "锦绣花园") == numbers(made, "cut")
    assert found(demo, "网速慢") == []  # every bigram occurs, the words do not
    assert found(demo, "兑换失败") == numbers(made, "bill", "bill2")


def test_like_wildcards_in_the_query_are_themselves(demo, made):
    assert found(demo, "50%") == numbers(made, "bill")
    assert found(demo, "a_b") == numbers(made, "bill")
    assert found(demo, "A_B") == numbers(made, "bill")  # Latin letters in any case
    assert found(demo, "%%") == []
    assert found(demo, "__") == []


def test_a_department_finds_only_what_it_may_see_on_the_page_and_in_the_api(demo, made, client):
    assert found(demo, "断网", user="net_contact") == numbers(made, "cut", "slow")
    assert found(demo, "断网", user="ent_contact") == []
    assert found(demo, "13900001111", user="ent_contact") == []
    assert found(demo, made["cut"].number, user="ent_contact") == []
    assert found(demo, "兑换失败", user="ent_contact") == numbers(made, "bill")

    client.force_login(demo["ent_contact"])
    page = client.get("/complaints/", {"q": "断网"})
    assert page.status_code == 200
    assert list(page.context["page"]) == []
    assert "No complaint matches." in page.content.decode() or "没有" in page.content.decode()
    page = client.get("/complaints/", {"q": "兑换失败"})
    assert [c.number for c in page.context["page"]] == numbers(made, "bill")

    api = APIClient()
    api.force_authenticate(demo["ent_contact"])
    answer = api.get("/api/v1/complaints/", {"q": "断网"})
    assert answer.status_code == 200 and answer.json()["results"] == []
    api.force_authenticate(demo["net_contact"])
    answer = api.get("/api/v1/complaints/", {"q": "断网"})
    assert [r["number"] for r in answer.json()["results"]] == numbers(made, "cut", "slow")


def test_a_phone_found_shows_masked_to_whom_it_is_masked(demo, made, client):
    client.force_login(demo["exec"])  # sees every complaint, handles none: phones masked
    page = client.get("/complaints/", {"q": "13900002222"})
    assert [c.number for c in page.context["page"]] == numbers(made, "slow")
    html = page.content.decode()
    assert "139****2222" in html
    # the full number only where the query itself is echoed (the search box, links back, the
    # filters a saved view would keep)
    echoes = (
        html.replace('value="13900002222"', "")
        .replace("?q=13900002222", "")
        .replace('value="q=13900002222"', "")
    )
    assert "13900002222" not in echoes

    api = APIClient()
    api.force_authenticate(demo["exec"])
    (row,) = api.get("/api/v1/complaints/", {"q": "13900002222"}).json()["results"]
    assert row["customer_phone"] == "139****2222"
    api.force_authenticate(demo["net_contact"])  # the handling department sees it in full
    (row,) = api.get("/api/v1/complaints/", {"q": "13900002222"}).json()["results"]
    assert row["customer_phone"] == "13900002222"


def test_the_search_pages_by_cursor_with_the_other_filters(demo, made, client, settings):
    settings.COMPLAINT_LIST_PAGE_SIZE = 1
    client.force_login(demo["manager"])
    first = client.get("/complaints/", {"q": "断网", "business_line": "network"})
    assert [c.number for c in first.context["page"]] == numbers(made, "cut")
    cursor = first.context["page"].next_cursor
    assert f"cursor={cursor}" in first.content.decode() and "q=%E6%96%AD%E7%BD%91" in (
        first.content.decode()
    )
    second = client.get("/complaints/", {"q": "断网", "business_line": "network", "cursor": cursor})
    assert [c.number for c in second.context["page"]] == numbers(made, "slow")
    assert not second.context["page"].has_next


def test_the_search_box_is_the_pages_one(demo, client):
    client.force_login(demo["manager"])
    html = client.get("/complaints/").content.decode()
    assert 'type="search"' in html and 'id="search"' in html and 'data-shortcut="/"' in html


def test_the_schema_names_q_on_both_lists():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/complaints/", "/api/v1/incidents/"):
        names = [p["name"] for p in schema["paths"][path]["get"]["parameters"]]
        assert "q" in names, path


def test_the_bigrams_are_the_queries_pairs_of_characters():
    assert bigrams("宽带断网") == sorted(["宽带", "带断", "断网"])
    assert bigrams("A_b") == ["_b", "a_"]
    assert bigrams("断") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_postgresql_reads_the_bigram_index_for_the_text(demo, made):
    """The search's expression is the index's, so PostgreSQL can take it (here, where a
    sequential scan would win on five rows, by being told not to)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for q in ("断网", "宽带断网", "a_b"):
            plan = complaints_search(Complaint.objects.order_by(), q).explain()
            assert "complaint_search_text" in plan, plan
