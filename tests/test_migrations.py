"""Moving a model to another app keeps its rows and what points at them: a database made by
the migrations before the split, with a complaint, its timeline, a deadline, a supervision
sample, a number sequence and an idempotent answer in it, is migrated forward and every row is
where the new apps look for it."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# the newest migration of each app before complaints, supervision and numbering moved
BEFORE = [
    ("complaints", None),
    ("core", None),
    ("incidents", "0002_shipped_rules"),
    ("accountability", "0002_shipped_catalogue"),
    ("organisation", "0001_initial"),
]


def _migrate(targets):
    """Migrate the test database to ``targets``; the models as they stand there."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(sorted(loader.applied_migrations)).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_split():
    """The database as the migrations before the split left it; the latest again after."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_latest())


def test_moved_models_keep_their_rows_and_what_points_at_them(before_the_split):
    old = before_the_split
    User = old.get_model("auth", "User")
    City = old.get_model("organisation", "City")
    ContentType = old.get_model("contenttypes", "ContentType")
    actor = User.objects.create(username="migration-check")
    city = City.objects.create(code="MIG", name_zh="迁移市", name_en="Migration")
    network = old.get_model("organisation", "Department").objects.create(
        code="MIG-NET", name_zh="迁移网络部", name_en="Migration network", kind="network"
    )
    Incident = old.get_model("incidents", "Incident")
    now = timezone.now()
    incident = Incident.objects.create(
        number="INC-19991231-0001", title="断网", business_line="network", source="hq",
        occurred_at=now, detected_at=now, created_by=actor, owning_department=network,
    )  # fmt: skip
    Complaint = old.get_model("incidents", "Complaint")
    complaint = Complaint.objects.create(
        number="CMP-19991231-0001", channel="hotline", customer_name="王先生",
        customer_phone="13812345678", customer_account="A1", city=city, address="长春",
        business_line="network", summary="断网", description="整个小区断网",
        first_ask_owner=actor, incident=incident,
    )  # fmt: skip
    Timeline = old.get_model("incidents", "TimelineEvent")
    Timeline.objects.create(complaint=complaint, actor=actor, kind="created", to_state="received")
    Timeline.objects.create(complaint=complaint, actor=actor, kind="linked", action="link")
    Timeline.objects.create(incident=incident, actor=actor, kind="created", to_state="received")
    complaint_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="complaint")
    Deadline = old.get_model("deadlines", "Deadline")
    version = old.get_model("deadlines", "DeadlinePolicyVersion").objects.create(
        digest="migration-check", snapshot={"code": "complaint-general-answer"}
    )
    Deadline.objects.create(
        content_type=complaint_type, object_id=complaint.pk, kind="complaint-general-answer",
        policy_version=version, started_at=now, due_at=now + timedelta(days=3),
    )  # fmt: skip
    Sample = old.get_model("incidents", "SupervisionSample")
    sample = Sample.objects.create(
        drawn_by=actor, since=date(2026, 11, 1), until=date(2026, 11, 30), size=1, seed="s"
    )
    old.get_model("incidents", "SampleReview").objects.create(sample=sample, complaint=complaint)
    old.get_model("incidents", "NumberSequence").objects.create(
        prefix="CMP", day=date(1999, 12, 31), last=1
    )
    old.get_model("organisation", "IdempotencyRecord").objects.create(
        user=actor, scope="complaints", key="k-1", request_hash="h", status_code=201,
        response={"id": complaint.pk},
    )  # fmt: skip

    new = _migrate(_latest())
    moved = new.get_model("complaints", "Complaint").objects.get(pk=complaint.pk)
    assert (moved.pk, moved.number, moved.incident_id) == (
        complaint.pk,
        complaint.number,
        incident.pk,
    )
    events = new.get_model("complaints", "ComplaintEvent").objects.filter(complaint_id=moved.pk)
    assert [(e.complaint_id, e.kind) for e in events] == [
        (moved.pk, "created"),
        (moved.pk, "linked"),
    ]
    incident_lines = new.get_model("incidents", "TimelineEvent").objects.filter(
        incident_id=incident.pk
    )
    assert [(e.incident_id, e.kind) for e in incident_lines] == [(incident.pk, "created")]
    deadline = new.get_model("deadlines", "Deadline").objects.get(
        object_id=moved.pk, content_type__model="complaint"
    )
    assert (deadline.content_type.app_label, deadline.content_type.model) == (
        "complaints",
        "complaint",
    )
    review = new.get_model("accountability", "SampleReview").objects.get(sample_id=sample.pk)
    assert (review.complaint_id, review.sample.seed) == (moved.pk, "s")
    sequence = new.get_model("core", "NumberSequence").objects.get(day=date(1999, 12, 31))
    assert sequence.last == 1
    answer = new.get_model("core", "IdempotencyRecord").objects.get(user_id=actor.pk)
    assert answer.response == {"id": moved.pk}
    tables = set(connection.introspection.table_names())
    assert {"complaints_complaint", "complaints_complaintevent", "accountability_samplereview",
            "core_numbersequence", "core_idempotencyrecord"} <= tables  # fmt: skip
    assert not {t for t in tables if t.startswith("incidents_") and "complaint" in t}
    # the new rows continue the old ones' ids
    again = new.get_model("complaints", "Complaint").objects.create(
        number="CMP-19991231-0002", channel="hotline", customer_name="李女士",
        customer_phone="13900001111", customer_account="A2", city_id=city.pk, address="长春",
        business_line="network", summary="掉线", description="掉线", first_ask_owner_id=actor.pk,
    )  # fmt: skip
    assert again.pk > moved.pk
