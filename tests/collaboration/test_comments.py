"""Comments with @mentions on the records people work on together: written and read within
the record's scope, the mentioned told (in the app and on their channels), corrected by the
author for ten minutes and kept as they were, never deleted; open pages told at once."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accountability import services as accountability
from accountability.models import PenaltyRule
from collaboration import records, services
from collaboration.models import Comment, CommentRevision
from complaints import services as complaints
from core.errors import Conflict
from core.models import LiveChange
from notifications.models import Delivery, Notification
from organisation.models import Department
from tests.factories import hotline_intake
from tests.incidents.test_improvement import add_item, improving

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(make_incident):
    return make_incident()


@pytest.fixture
def make_record(demo, make_incident):
    """``make_record(kind)``: a record of that kind and someone who may see it."""

    def make(kind):
        if kind == "incident":
            return make_incident(), demo["net_contact"]
        if kind == "action_item":
            return add_item(improving(make_incident, demo), demo), demo["net_contact"]
        if kind == "complaint":
            return complaints.complaint_create(actor=demo["hotline1"], **hotline_intake()), demo[
                "hotline1"
            ]
        violation = accountability.violation_propose(
            rule=PenaltyRule.objects.get(code="missed-ticket"),
            evidence_key="manual:comments",
            department=Department.objects.get(code="NET"),
            actor=demo["mkt_contact"],
        )
        return violation, demo["net_contact"]

    return make


def api(client, user, method, path, data=None):
    client.force_authenticate(user)
    return getattr(client, method)(f"/api/v1/{path}", data, format="json")


KINDS = ["incident", "action_item", "complaint", "violation"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_comment_is_written_and_read_on_each_kind_of_record(kind, make_record, api_client):
    record, author = make_record(kind)
    assert records.visible(author, record)
    ref = f"{kind}:{record.pk}"
    made = api(api_client, author, "post", "comments/", {"record": ref, "body": "先查一下\n再回复"})
    assert made.status_code == 201, made.json()
    assert made.json()["record"] == ref and made.json()["author"] == author.username
    api(api_client, author, "post", "comments/", {"record": ref, "body": "第二条"})
    listed = api(api_client, author, "get", f"comments/?record={ref}")
    assert listed.status_code == 200
    assert [c["body"] for c in listed.json()["results"]] == ["先查一下\n再回复", "第二条"]
    assert Comment.objects.filter(record_kind=kind, record_id=record.pk).count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_record_page_shows_its_comments_escaped_with_line_breaks(kind, make_record, client):
    record, author = make_record(kind)
    comment = services.comment_create(record=record, author=author, body="<b>光缆</b>\n第二行")
    client.force_login(author)
    page = client.get(services.comment_link(comment, record).partition("#")[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "&lt;b&gt;光缆&lt;/b&gt;<br>第二行" in html and "<b>光缆</b>" not in html
    assert "data-comment-box" in html and "js/comments.js" in html


def test_someone_outside_the_record_gets_404_by_api_and_page(demo, incident, api_client, client):
    outsider = demo["itc_contact"]
    assert not records.visible(outsider, incident)
    comment = services.comment_create(record=incident, author=demo["net_contact"], body="内部讨论")
    ref = f"incident:{incident.pk}"
    assert api(api_client, outsider, "get", f"comments/?record={ref}").status_code == 404
    posted = api(api_client, outsider, "post", "comments/", {"record": ref, "body": "我也来"})
    assert posted.status_code == 404
    assert api(api_client, outsider, "get", f"comments/{comment.pk}/").status_code == 404
    patched = api(api_client, outsider, "patch", f"comments/{comment.pk}/", {"body": "改"})
    assert patched.status_code == 404
    client.force_login(outsider)
    assert client.get(f"/together/comments/incident/{incident.pk}/").status_code == 404
    assert (
        client.post(
            f"/together/comments/incident/{incident.pk}/", {"comment-body": "我也来"}
        ).status_code
        == 404
    )
    assert client.get(f"/together/comments/incident/{incident.pk}/people/").status_code == 404
    assert client.get(f"/together/comments/{comment.pk}/edit/").status_code == 404
    assert Comment.objects.count() == 1


def test_an_unknown_kind_or_a_malformed_record_is_refused(demo, api_client):
    user = demo["net_contact"]
    unknown = api(api_client, user, "get", "comments/?record=planet:1")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["attr"] == "record"
    assert api(api_client, user, "get", "comments/?record=incident:999999").status_code == 404
    missing = api(api_client, user, "get", "comments/")
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "record"
    bad = api(api_client, user, "post", "comments/", {"record": "incident", "body": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "record"


def test_a_mention_notifies_the_person_in_the_app_and_by_email(demo, incident, api_client):
    mentioned, bystander = demo["cs_contact"], demo["net_leader"]
    assert records.visible(mentioned, incident) and records.visible(bystander, incident)
    made = api(
        api_client,
        demo["net_contact"],
        "post",
        "comments/",
        {"record": f"incident:{incident.pk}", "body": "@cs_contact 请确认客户范围。"},
    )
    assert made.status_code == 201 and made.json()["mentions"] == ["cs_contact"]
    comment = Comment.objects.get()
    told = Notification.objects.get(recipient=mentioned, kind="comment.mention")
    assert told.link == f"{incident.get_absolute_url()}#comment-{comment.pk}"
    assert incident.number in told.subject and "请确认客户范围" in told.body
    assert Delivery.objects.filter(notification=told, channel="email", address=mentioned.email)
    assert not Notification.objects.filter(recipient=bystander, kind="comment.mention").exists()
    assert not Notification.objects.filter(recipient=demo["net_contact"], kind="comment.mention")


def test_a_mention_made_by_correcting_a_comment_notifies_once(demo, incident):
    comment = services.comment_create(record=incident, author=demo["net_contact"], body="请看")
    services.comment_edit(comment_id=comment.pk, actor=demo["net_contact"], body="@cs_contact 请看")
    services.comment_edit(
        comment_id=comment.pk, actor=demo["net_contact"], body="@cs_contact 请看一下"
    )
    assert (
        Notification.objects.filter(recipient=demo["cs_contact"])
        .filter(kind="comment.mention")
        .count()
        == 1
    )


def test_mentioning_someone_who_may_not_see_the_record_is_refused_naming_them(
    demo, incident, api_client, client
):
    assert not records.visible(demo["itc_contact"], incident)
    refused = api(
        api_client,
        demo["net_contact"],
        "post",
        "comments/",
        {"record": f"incident:{incident.pk}", "body": "@cs_contact @itc_contact 看看"},
    )
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["attr"] == "body" and "@itc_contact" in error["detail"]
    assert "@cs_contact" not in error["detail"]
    unknown = api(
        api_client,
        demo["net_contact"],
        "post",
        "comments/",
        {"record": f"incident:{incident.pk}", "body": "@nobody_here 看看"},
    )
    assert unknown.status_code == 400 and "@nobody_here" in unknown.json()["errors"][0]["detail"]
    client.force_login(demo["net_contact"])
    page = client.post(
        f"/together/comments/incident/{incident.pk}/", {"comment-body": "@itc_contact 看看"}
    )
    assert page.status_code == 400 and "@itc_contact" in page.content.decode()
    assert (
        not Comment.objects.exists()
        and not Notification.objects.filter(kind="comment.mention").exists()
    )


def test_an_address_is_not_a_mention():
    assert services.mentioned_usernames("写信到 net@fenghuo.example，@cs_contact。@a.b @a") == [
        "cs_contact",
        "a.b",
        "a",
    ]


def test_the_author_corrects_within_ten_minutes_and_the_earlier_text_is_kept(
    demo, incident, api_client, settings
):
    assert settings.COMMENT_EDIT_MINUTES == 10
    author = demo["net_contact"]
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        comment = services.comment_create(record=incident, author=author, body="初稿")
    with time_machine.travel(start + timedelta(minutes=9, seconds=59), tick=False):
        done = api(api_client, author, "patch", f"comments/{comment.pk}/", {"body": "改稿"})
    assert done.status_code == 200, done.json()
    assert done.json()["body"] == "改稿" and done.json()["edited_at"]
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["初稿"]
    with time_machine.travel(start + timedelta(minutes=10, seconds=1), tick=False):
        late = api(api_client, author, "patch", f"comments/{comment.pk}/", {"body": "再改"})
    assert late.status_code == 409
    assert (
        "10 minutes" in late.json()["errors"][0]["detail"]
        or "10" in late.json()["errors"][0]["detail"]
    )
    comment.refresh_from_db()
    assert comment.body == "改稿"


def test_nobody_else_corrects_a_comment(demo, incident, api_client):
    comment = services.comment_create(record=incident, author=demo["net_contact"], body="初稿")
    other = demo["net_leader"]
    refused = api(api_client, other, "patch", f"comments/{comment.pk}/", {"body": "别人改"})
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment_id=comment.pk, actor=other, body="别人改")
    comment.refresh_from_db()
    assert comment.body == "初稿" and not CommentRevision.objects.exists()


def test_the_edit_page_within_the_window_and_after(demo, incident, client):
    author = demo["net_contact"]
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        comment = services.comment_create(record=incident, author=author, body="初稿")
    client.force_login(author)
    edit = f"/together/comments/{comment.pk}/edit/"
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert client.get(edit).status_code == 200
        saved = client.post(edit, {"comment-body": "改稿"})
        assert saved.status_code == 302
        assert saved.url == f"{incident.get_absolute_url()}#comment-{comment.pk}"
        page = client.get(incident.get_absolute_url()).content.decode()
        assert "改稿" in page and ("(edited)" in page or "已修改" in page)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        late = client.post(edit, {"comment-body": "再改"})
        assert late.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "改稿"


def test_a_comment_is_never_deleted(demo, incident, api_client, admin_client):
    comment = services.comment_create(record=incident, author=demo["net_contact"], body="留档")
    gone = api(api_client, demo["net_contact"], "delete", f"comments/{comment.pk}/")
    assert gone.status_code == 405
    replaced = api(api_client, demo["net_contact"], "put", f"comments/{comment.pk}/", {"body": "x"})
    assert replaced.status_code == 405
    listing = admin_client.get("/admin/collaboration/comment/")
    assert listing.status_code == 200 and "留档" in listing.content.decode()
    assert admin_client.get(f"/admin/collaboration/comment/{comment.pk}/change/").status_code == 200
    assert (
        admin_client.post(f"/admin/collaboration/comment/{comment.pk}/delete/").status_code == 403
    )
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_people_who_may_be_mentioned(demo, incident, client):
    client.force_login(demo["net_contact"])
    people = client.get(f"/together/comments/incident/{incident.pk}/people/?q=contact").json()
    names = {person["username"] for person in people["people"]}
    assert "cs_contact" in names and "itc_contact" not in names


@pytest.fixture
def told(django_capture_on_commit_callbacks, settings):
    settings.LIVE_REDIS_URL = ""  # the table log: what was told is in its table

    def run(action):
        LiveChange.objects.all().delete()
        transaction.get_connection().live_pending = None
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return [set(t) for t in LiveChange.objects.order_by("id").values_list("topics", flat=True)]

    return run


def test_a_new_or_corrected_comment_tells_the_record_page_on_commit(demo, make_record, told):
    incident, author = make_record("incident")
    made = []
    (topics,) = told(
        lambda: made.append(
            services.comment_create(record=incident, author=author, body="@cs_contact 看")
        )
    )
    assert f"incident:{incident.pk}" in topics
    assert f"user:{demo['cs_contact'].pk}" in topics  # the bell of the one mentioned
    (topics,) = told(
        lambda: services.comment_edit(comment_id=made[0].pk, actor=author, body="看一下")
    )
    assert f"incident:{incident.pk}" in topics
    item, author = make_record("action_item")
    (topics,) = told(lambda: services.comment_create(record=item, author=author, body="进度？"))
    assert f"incident:{item.incident_id}" in topics


def test_a_rolled_back_comment_tells_nobody(demo, incident, told):
    def fail():
        with transaction.atomic():
            services.comment_create(record=incident, author=demo["net_contact"], body="@cs_contact")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        told(fail)
    assert (
        not LiveChange.objects.exists()
        and not Notification.objects.filter(kind="comment.mention").exists()
    )


def test_a_blank_or_overlong_comment_names_the_field(demo, incident):
    with pytest.raises(ValidationError) as blank:
        services.comment_create(record=incident, author=demo["net_contact"], body="  ")
    assert "body" in blank.value.message_dict
    with pytest.raises(ValidationError) as long:
        services.comment_create(record=incident, author=demo["net_contact"], body="长" * 4001)
    assert "body" in long.value.message_dict


def test_the_schema_types_the_comments_endpoints(demo, client):
    client.force_login(User.objects.get(username="manager"))
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/comments/"]) >= {"get", "post"}
    assert set(paths["/api/v1/comments/{id}/"]) >= {"get", "patch"}
    assert "delete" not in paths["/api/v1/comments/{id}/"]
    assert "put" not in paths["/api/v1/comments/{id}/"]
    (record,) = [
        p for p in paths["/api/v1/comments/"]["get"]["parameters"] if p["name"] == "record"
    ]
    assert record["required"] is True
    assert "Comment" in schema["components"]["schemas"]


def test_conflict_is_the_domain_error_after_the_window(demo, incident):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        comment = services.comment_create(record=incident, author=demo["net_contact"], body="初稿")
    with time_machine.travel(start + timedelta(minutes=11), tick=False), pytest.raises(Conflict):
        services.comment_edit(comment_id=comment.pk, actor=demo["net_contact"], body="晚了")
