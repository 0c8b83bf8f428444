"""``core.bulk.rows_merge``: many rows written at once, those a unique constraint already holds
left as they were. It runs on PostgreSQL (COPY into a session's table, then one INSERT) and on
the embedded SQLite (INSERT … VALUES), so the embedded pass runs this file too."""

import pytest
from django.db import IntegrityError, transaction

from core.bulk import (
    MERGE_CHUNK,
    ONE_STATEMENT_ROWS,
    instances,
    rows_insert,
    rows_insert_alike,
    rows_merge,
)
from notifications.models import Circuit, Endpoint, Notification

pytestmark = pytest.mark.django_db

KEY = ["recipient", "dedupe_key"]


def note(user, key: str, subject: str = "新") -> Notification:
    return Notification(recipient=user, kind="test", subject=subject, dedupe_key=key)


def test_new_rows_get_their_ids_and_a_row_already_there_is_left_as_it_was(user_factory):
    first, second = user_factory(), user_factory()
    kept = Notification.objects.create(recipient=first, kind="test", subject="旧", dedupe_key="a")
    rows = [note(first, "a"), note(first, "b"), note(second, "a")]

    written = rows_merge(rows, key=KEY, conflict=KEY)

    assert written == rows[1:]
    assert rows[0].pk is None  # not written: no id
    theirs = Notification.objects.filter(recipient__in=[first, second])
    assert {row.pk for row in written} == set(
        theirs.exclude(pk=kept.pk).values_list("pk", flat=True)
    )
    assert Notification.objects.get(pk=kept.pk).subject == "旧"
    assert Notification.objects.get(pk=rows[2].pk).recipient_id == second.pk


def test_found_gives_the_rows_already_there_their_ids(user_factory):
    person = user_factory()
    kept = Notification.objects.create(recipient=person, kind="test", subject="旧", dedupe_key="a")
    rows = [note(person, "a"), note(person, "b")]

    written = rows_merge(rows, key=KEY, conflict=KEY, found=True)

    assert written == rows
    assert rows[0].pk == kept.pk
    assert Notification.objects.get(pk=kept.pk).subject == "旧"
    assert Notification.objects.filter(recipient=person).count() == 2


def test_without_conflict_columns_any_unique_constraint_leaves_the_row(user_factory):
    person = user_factory()
    Notification.objects.create(recipient=person, kind="test", subject="旧", dedupe_key="a")
    written = rows_merge([note(person, "a"), note(person, "c")], key=KEY)
    assert [row.dedupe_key for row in written] == ["c"]
    with pytest.raises(ValueError, match="conflict"):
        rows_merge([note(person, "d")], key=KEY, found=True)


def test_many_rows_and_again_in_the_same_transaction(user_factory):
    """More rows than one statement of the embedded database holds; a second call in the same
    transaction starts from nothing left by the first."""
    person = user_factory()
    count = MERGE_CHUNK * 2 + 7
    with transaction.atomic():
        first = rows_merge([note(person, f"k{n}") for n in range(count)], key=KEY, conflict=KEY)
        again = rows_merge(
            [note(person, f"k{n}") for n in range(count + 3)], key=KEY, conflict=KEY, found=True
        )
    assert len(first) == count and len(again) == count + 3
    assert [row.pk for row in again[:count]] == [row.pk for row in first]
    assert Notification.objects.filter(recipient=person).count() == count + 3


@pytest.mark.parametrize("count", [1, MERGE_CHUNK + 1])  # one statement; COPY or chunks
def test_a_bad_row_writes_none_of_the_set_and_the_next_call_works(user_factory, count):
    person = user_factory()
    nobody = Notification(recipient_id=None, kind="test", subject="?", dedupe_key="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_merge([*(note(person, f"k{n}") for n in range(count)), nobody], key=KEY, conflict=KEY)
    assert not Notification.objects.filter(recipient=person).exists()
    assert len(rows_merge([note(person, "ok")], key=KEY, conflict=KEY)) == 1


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.fields}


def test_instances_are_the_objects_keyword_construction_makes(user_factory):
    """``instances`` sets a plain model's values directly (no ``__init__`` of its own beyond
    a workflow's, nobody listening): the same values and state as keyword construction,
    defaults included, and they save as such; a model whose construction is listened for is
    built by its ``__init__``."""
    from django.contrib.auth.models import User
    from django.db.models.signals import post_init

    from accountability.models import PenaltyRule, Violation

    person = user_factory()
    (built,) = instances(
        Notification, [{"recipient_id": person.pk, "kind": "test", "dedupe_key": "k"}]
    )
    made = Notification(recipient_id=person.pk, kind="test", dedupe_key="k")
    made.created_at = built.created_at  # the one default that is a moment
    assert _fields(built) == _fields(made)
    assert (built._state.adding, built._state.db, built.pk) == (True, None, None)
    built.save()
    assert Notification.objects.get(pk=built.pk).dedupe_key == "k"

    # a workflow remembers the state an object was built in, as its __init__ records it
    rule = PenaltyRule.objects.first()
    (violation,) = instances(
        Violation, [{"number": "V-1", "rule_id": rule.pk, "evidence_key": "e"}]
    )
    assert violation.state == Violation().state
    assert violation._ConcurrentTransitionMixin__initial_states == {"state": violation.state}

    # so does a model whose construction someone listens for
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=User)
    try:
        (someone,) = instances(User, [{"username": "u"}])
    finally:
        post_init.disconnect(listener, sender=User)
    assert seen == [someone]


def test_instances_take_related_objects_by_name(user_factory, django_assert_num_queries):
    """A relation given by its name sets its id and is kept, as keyword construction keeps
    it: reading it reads nothing. A key that is no field is refused, not dropped."""
    person = user_factory()
    (built,) = instances(Notification, [{"recipient": person, "kind": "test", "dedupe_key": "k"}])
    with django_assert_num_queries(0):
        assert built.recipient is person
    assert built.recipient_id == person.pk
    made = Notification(recipient=person, kind="test", dedupe_key="k")
    made.created_at = built.created_at
    assert _fields(built) == _fields(made)
    (nobody,) = instances(Notification, [{"recipient": None, "kind": "test"}])
    assert nobody.recipient_id is None
    with pytest.raises(TypeError, match="recipent"):
        instances(Notification, [{"recipent": person}])


@pytest.mark.parametrize("count", [3, ONE_STATEMENT_ROWS + 1])  # one statement; COPY
def test_inserted_rows_are_stamped_and_a_value_rows_share_is_written_to_each(count):
    """``rows_insert`` stamps auto_now fields on the objects as ``save()`` would, and a JSON
    value several objects share (encoded once) is stored in each row, next to a row's own."""
    circuits = [Circuit(key=f"circuit-{n}") for n in range(count)]
    shared = ["alert.published", {"城市": "长春"}]
    endpoints = [
        Endpoint(channel="webhook", name=f"e{n}", url="https://hooks.example.com/", events=shared)
        for n in range(count)
    ]
    endpoints[0].events = []
    rows_insert(circuits)
    rows_insert(endpoints)
    stored = dict(Circuit.objects.values_list("key", "updated_at"))
    assert all(c.updated_at is not None and stored[c.key] == c.updated_at for c in circuits)
    assert dict(Endpoint.objects.values_list("name", "events")) == {
        f"e{n}": [] if n == 0 else shared for n in range(count)
    }


@pytest.mark.parametrize("count", [1, ONE_STATEMENT_ROWS + 1])
def test_alike_rows_are_the_template_but_for_what_varies(user_factory, count):
    """``rows_insert_alike``: each row holds the template's values (one INSERT … SELECT on
    PostgreSQL), the integers that vary its own, its id the database's."""
    people = [user_factory() for _ in range(count)]
    template = Notification(
        recipient=people[0], kind="test", subject="同一", body="正文", dedupe_key="k"
    )
    rows_insert_alike(template, [{"recipient_id": person.pk} for person in people])
    stored = Notification.objects.filter(recipient__in=people).order_by("recipient_id")
    assert [row.recipient_id for row in stored] == sorted(person.pk for person in people)
    assert {(r.subject, r.body, r.dedupe_key, r.created_at, r.read_at) for r in stored} == {
        ("同一", "正文", "k", template.created_at, None)
    }
    assert len({row.pk for row in stored}) == count and template.pk is None


def test_alike_rows_vary_only_in_integers_and_leave_the_ids_to_the_database(user_factory):
    person = user_factory()
    template = note(person, "a")
    with pytest.raises(TypeError, match="subject"):
        rows_insert_alike(template, [{"subject": "别的"}])
    template.pk = 1
    with pytest.raises(ValueError, match="ids"):
        rows_insert_alike(template, [{"recipient_id": person.pk}])
    assert not Notification.objects.filter(recipient=person).exists()
