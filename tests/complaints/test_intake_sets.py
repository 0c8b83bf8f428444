"""Intake written as sets: a bulk of many complaints writes what one by one would (numbers,
timeline, limits on the policy's one version), a single intake writes with two statements,
and the plain items of a bulk are validated to exactly what the serializer gives."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from complaints import services as cs
from complaints.api.serializers import ComplaintCreateSerializer
from complaints.models import Complaint, ComplaintEvent
from core.api.plain import plain_validation
from core.bulk import rows_insert
from deadlines.models import Deadline, DeadlinePolicyVersion
from organisation.models import City

from .test_complaints import body

pytestmark = pytest.mark.django_db


def item(n: int, **overrides) -> dict:
    data = {
        "customer_name": "王先生",
        "customer_phone": f"138{n:08d}",
        "customer_account": f"A{n:09d}",
        "city": City.objects.get(code="CC"),
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": ["network", "billing", "value_added", "service"][n % 4],
        "summary": "晚上 4G 上网很慢",
        "description": "近三天晚上 4G 上网很慢，网页打不开，视频卡顿。",
        "channel": "api",
    }
    data.update(overrides)
    return data


def test_a_bulk_of_many_writes_what_one_by_one_writes(demo):
    actor = demo["hotline1"]
    single = cs.complaint_create(actor=actor, **item(0))
    results = cs.complaint_bulk_create(
        actor=actor, items=[item(n, external_id=f"S-{n}") for n in range(1, 121)], api_key=None
    )
    assert [r["status"] for r in results] == [201] * 120
    stored = Complaint.objects.filter(pk__in=[r["id"] for r in results])
    assert sorted(stored.values_list("number", flat=True)) == sorted(r["number"] for r in results)
    assert len({r["number"] for r in results} | {single.number}) == 121
    # each with its created line and its limits, as the single intake of the same kind
    assert ComplaintEvent.objects.filter(complaint__in=stored, kind="created").count() == 120
    first_network = stored.get(external_id="S-4")  # n % 4 == 0: network, as the single one

    def limits(complaint):
        return sorted(
            # no due time while the calendar year is unknown (the year's end pass)
            (
                d.kind, d.due_at and d.due_at - d.started_at, d.content_type_id, d.round,
                d.policy_id, d.state, d.problem, d.responsible_department_id,
                d.responsible_person_id, len(d.reminders), d.next_reminder_at is None,
            )
            for d in Deadline.objects.filter(object_id=complaint.pk)
        )  # fmt: skip

    ones, many = limits(single), limits(first_network)
    kinds = [(kind, due) for kind, due, *_rest in ones]
    assert kinds and [row[:1] + row[2:] for row in ones] == [row[:1] + row[2:] for row in many]
    # the same time allowed (a working-days limit ends with the day: the two started apart)
    assert all(
        a[1] == b[1] or abs(a[1] - b[1]) < timedelta(minutes=5)
        for a, b in zip(ones, many, strict=True)
    )
    # each complaint of the bulk has its own limits, all started when it was taken
    bulk = Deadline.objects.filter(object_id__in=stored.values_list("pk", flat=True))
    assert bulk.values("object_id").distinct().count() == 120
    assert set(bulk.values_list("started_at", flat=True)) == {first_network.created_at}
    # every limit of a policy refers to the policy's one version, the same for all
    deadlines = Deadline.objects.filter(
        object_id__in=[*stored.values_list("pk", flat=True), single.pk]
    )
    for kind in {kind for kind, _due in kinds}:
        versions = set(deadlines.filter(kind=kind).values_list("policy_version", flat=True))
        assert len(versions) == 1
        assert DeadlinePolicyVersion.objects.filter(snapshot__code=kind).count() == 1


def test_a_single_intake_writes_with_two_statements(demo):
    actor = demo["hotline1"]
    cs.complaint_create(actor=actor, **body())  # the policies' versions, read once
    with CaptureQueriesContext(connection) as queries:
        complaint = cs.complaint_create(actor=actor, **body())
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "WITH"))]
    # the number with the id, then the complaint, its created line and its limits together
    assert len(writes) == 2, writes
    assert complaint.timeline.get().kind == "created"
    assert complaint.deadlines.count() >= 1


@pytest.fixture
def check(demo) -> ComplaintCreateSerializer:
    request = APIRequestFactory().post("/api/v1/complaints/bulk/")
    request.user = demo["hotline1"]
    return ComplaintCreateSerializer(context={"request": Request(request)})


PLAIN = {
    "customer_name": "  李女士 ",
    "customer_phone": "139-0000 1111",
    "customer_account": "1390000111",
    "city": "JL",
    "address": "吉林市船营区",
    "business_line": "billing",
    "description": "本月账单多扣 20 元。",
}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"summary": "话费多扣", "external_id": "X-1", "is_vip": True, "channel": "web"},
        {"escalation": "province", "severity": "serious", "referred_by": None, "incident": None},
        {"summary": "", "unknown": "ignored"},
        {"channel": "employee_referral", "referred_by": "hotline1"},
        {"summary": "长" * 200},  # as long as the field takes
    ],
)
def test_a_plain_item_is_validated_as_the_serializer_validates_it(check, overrides):
    data = {**PLAIN, **overrides}
    plain = plain_validation(check, data)
    assert plain is not None
    assert plain == dict(check.run_validation(data))


@pytest.mark.parametrize(
    "overrides",
    [
        {"customer_name": ""},
        {"customer_name": 7},
        {"customer_phone": "call me"},
        {"city": "NOWHERE"},
        {"business_line": "gardening"},
        {"is_vip": "yes"},
        {"summary": "长" * 201},
        {"description": "账单\x00多扣"},  # the serializer refuses what no column holds
        {"address": "吉林市\ud800"},
        {"referred_by": "nobody-of-ours"},
    ],
)
def test_an_item_that_is_not_plain_goes_to_the_serializer(check, overrides):
    assert plain_validation(check, {**PLAIN, **overrides}) is None


def test_a_set_that_meets_a_duplicate_writes_none_of_it(demo):
    actor = demo["hotline1"]
    taken = cs.complaint_create(actor=actor, **item(0))
    complaints = [cs._prepare(actor=actor, **item(n)) for n in range(1, 80)]
    cs._number(complaints)
    complaints[-1].number = taken.number  # as a concurrent intake could have taken it
    before = Complaint.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(complaints)  # beyond one statement's rows: the set is copied
    assert Complaint.objects.count() == before
