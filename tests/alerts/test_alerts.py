"""Publishing alerts by level (表-4), acknowledging them (inbox, API, one-click link from a
real email), phone confirmation, escalation of silence, and delivery through a broker outage."""

import re
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from alerts.models import Alert, AlertRecipient
from config.celery import app as celery_app
from deadlines.services import deadlines_sweep
from incidents import services
from notifications.models import Delivery, Notification
from notifications.tasks import sweep_deliveries_task

pytestmark = pytest.mark.django_db

BUSINESS_AND_CS = {
    "mkt_contact",
    "data_contact",
    "ent_contact",
    "net_contact",
    "cs_contact",
    "csc_contact",
}


def published(make_incident, demo, **facts):
    incident = make_incident(**facts)
    services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    incident.refresh_from_db()
    return incident


def reached(incident) -> set[str]:
    return set(
        AlertRecipient.objects.filter(incident=incident).values_list("user__username", flat=True)
    )


def test_yellow_reaches_business_and_customer_service_departments(make_incident, demo):
    incident = published(make_incident, demo, cities=("CC",))
    assert incident.level == "yellow"
    assert reached(incident) == BUSINESS_AND_CS


def test_red_reaches_the_executive_and_the_general_office_too(make_incident, demo):
    incident = published(make_incident, demo, cities=("CC", "JL", "SP", "LY", "TH"))
    assert incident.level == "red"
    assert reached(incident) == BUSINESS_AND_CS | {"exec", "go_contact"}


def test_orange_reaches_the_general_office_but_not_the_executive(make_incident, demo):
    incident = published(make_incident, demo, cities=("CC", "JL", "SP"))
    assert reached(incident) == BUSINESS_AND_CS | {"go_contact"}


def test_media_and_legal_add_their_departments(make_incident, demo):
    incident = published(
        make_incident, demo, cities=("CC",), publicity="may_attract", legal_involved=True
    )
    assert {"go_contact", "mkt_contact", "legal_contact"} <= reached(incident)


def test_an_owner_outside_the_list_is_reached(make_incident, demo):
    branch = demo["cc_contact"].profile.department
    incident = published(make_incident, demo, cities=("CC",), owning_department=branch)
    assert "cc_contact" in reached(incident)


def test_an_upgrade_reaches_the_new_recipients_once_and_updates_the_others(make_incident, demo):
    incident = published(make_incident, demo, cities=("CC",))
    before = reached(incident)
    services.incident_classify(
        incident_id=incident.pk, actor=demo["cs_contact"], level="red", reason="央视曝光"
    )
    alerts = list(Alert.objects.filter(incident=incident).order_by("sequence"))
    assert [(a.sequence, a.level, a.is_upgrade) for a in alerts] == [
        (1, "yellow", False),
        (2, "red", True),
    ]
    after = reached(incident)
    assert after - before == {"exec", "go_contact"}
    # everyone gets exactly one message per publication: the new ones the alert, the others the update
    per_person = {
        username: Notification.objects.filter(
            recipient__username=username, kind="alert.published"
        ).count()
        for username in after
    }
    assert all(per_person[u] == 2 for u in before) and all(
        per_person[u] == 1 for u in after - before
    )
    exec_message = Notification.objects.get(recipient__username="exec", kind="alert.published")
    assert "红色" in exec_message.subject
    # a second, equal level change publishes nothing more
    assert Alert.objects.filter(incident=incident).count() == 2


def test_the_alert_content_follows_article_8(make_incident, demo):
    incident = published(
        make_incident, demo, cities=("CC", "JL"), customers_affected=6000, description="核心网故障"
    )
    content = Alert.objects.get(incident=incident).content
    for key in (
        "level",
        "occurred_at",
        "cities",
        "customers_affected",
        "what_happened",
        "complaints_today",
        "main_issues",
        "cause",
        "handling",
    ):
        assert key in content
    assert content["cities"] == ["长春", "吉林"] and content["what_happened"] == "核心网故障"
    body = (
        Notification.objects.filter(recipient__username="net_contact", kind="alert.published")
        .get()
        .body
    )
    assert "长春、吉林" in body and "6000" in body and "/alerts/ack/" in body


def test_each_person_s_message_carries_their_own_link_on_every_channel(make_incident, demo):
    from alerts.services import ack_link_recipient

    incident = published(make_incident, demo, cities=("CC", "JL", "SP"))  # orange: many
    recipients = AlertRecipient.objects.filter(incident=incident)
    assert recipients.count() > 5
    for recipient in recipients:
        texts = [
            Notification.objects.get(recipient=recipient.user, kind="alert.published").body,
            *Delivery.objects.filter(notification__recipient=recipient.user).values_list(
                "body", flat=True
            ),
        ]
        assert len(texts) == 3  # the inbox, the e-mail and the SMS
        for text in texts:
            (token,) = re.findall(r"/alerts/ack/([^/\s]+)/", text)
            assert ack_link_recipient(token=token) == recipient


def test_acknowledging_from_a_real_email_link(
    make_incident, demo, smtp_server, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = published(make_incident, demo, cities=("CC",))
    mail = next(m for m in smtp_server.messages if m["to"] == ["mkt_contact@fenghuo.example"])
    link = re.search(r"http://\S+/alerts/ack/\S+/", mail["body"]).group(0)
    path = link.split("8000", 1)[1]
    page = client.get(path)  # opening the link (a mail scanner, say) changes nothing
    assert page.status_code == 200
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    assert recipient.acknowledged_at is None
    assert client.post(path).status_code == 200  # no login: the signed link is enough
    recipient.refresh_from_db()
    assert (recipient.acknowledged_via, recipient.acknowledged_at is not None) == ("link", True)
    ack = incident.deadlines.model.objects.get(object_id=recipient.pk, kind="alert-acknowledge")
    assert ack.state == "met"
    # single use: the same link again changes nothing and says it is done
    again = client.post(path)
    assert again.status_code == 200 and 'data-testid="acknowledged"' in again.content.decode()


def test_a_tampered_or_expired_link_is_refused(make_incident, demo, client, settings):
    from alerts.services import ack_link

    incident = published(make_incident, demo, cities=("CC",))
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    path = ack_link(recipient).split("8000", 1)[1]
    assert client.post(path[:-3] + "xx/").status_code == 400
    settings.ALERT_ACK_LINK_MAX_AGE = -1
    assert client.post(path).status_code == 400
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None


def test_the_owner_acknowledging_the_alert_takes_the_incident_on(make_incident, demo, api_client):
    incident = published(make_incident, demo, cities=("CC",))
    alert = Alert.objects.get(incident=incident)
    api_client.force_authenticate(demo["net_contact"])
    response = api_client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.state == "handling"
    mine = next(r for r in response.json()["recipients"] if r["user"] == "net_contact")
    assert mine["acknowledged_via"] == "api"


def test_inbox_lists_unacknowledged_first_and_acknowledges(make_incident, demo, client):
    first = published(make_incident, demo, cities=("CC",))
    second = published(make_incident, demo, cities=("JL",))
    client.force_login(demo["mkt_contact"])
    recipient = AlertRecipient.objects.get(incident=first, user=demo["mkt_contact"])
    client.post(f"/alerts/recipients/{recipient.pk}/acknowledge/")
    rows = client.get("/alerts/").context["rows"]
    assert [r.recipient.incident for r in rows] == [second, first]
    assert rows[0].deadline.kind == "alert-acknowledge"  # the countdown of the unacknowledged one


def test_phone_calls_are_recorded_by_the_publisher(make_incident, demo, api_client):
    incident = published(make_incident, demo, cities=("CC",))
    alert = Alert.objects.get(incident=incident)
    api_client.force_authenticate(demo["net_contact"])
    assert (
        api_client.post(f"/api/v1/alerts/{alert.pk}/phone/", {"user": "mkt_contact"}).status_code
        == 403
    )
    api_client.force_authenticate(demo["cs_contact"])
    body = api_client.post(f"/api/v1/alerts/{alert.pk}/phone/", {"user": "mkt_contact"}).json()
    phoned = {r["user"]: r["phoned_by"] for r in body["recipients"]}
    assert phoned["mkt_contact"] == "cs_contact" and phoned["net_contact"] is None


def test_silence_is_escalated_to_the_leader_then_the_working_group_head(make_incident, demo):
    incident = published(make_incident, demo, cities=("CC",))
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    start = recipient.first_alert.published_at
    deadlines_sweep(now=start + timedelta(minutes=31))
    told = set(
        Notification.objects.filter(
            kind="deadline.breached", link=recipient.get_absolute_url()
        ).values_list("recipient__username", flat=True)
    )
    assert "mkt_leader" in told  # the recipient's superior, the department leader
    assert not Notification.objects.filter(kind="alert.unacknowledged").exists()
    escalated = incident.deadlines.model.objects.get(
        object_id=recipient.pk, kind="alert-acknowledge-escalated"
    )
    deadlines_sweep(now=escalated.due_at + timedelta(minutes=1))
    head = Notification.objects.filter(kind="alert.unacknowledged").values_list(
        "recipient__username", flat=True
    )
    assert "manager" in head  # the working-group head


def test_an_acknowledgment_stops_the_escalation(make_incident, demo):
    from alerts.services import alert_acknowledge

    incident = published(make_incident, demo, cities=("CC",))
    recipient = AlertRecipient.objects.get(incident=incident, user__username="mkt_contact")
    alert_acknowledge(recipient_id=recipient.pk, actor=demo["mkt_contact"])
    deadlines_sweep(now=timezone.now() + timedelta(hours=2))
    assert not Notification.objects.filter(
        kind="deadline.breached",
        link=recipient.get_absolute_url(),
        recipient__username="mkt_leader",
    ).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notifications_survive_a_broker_outage_and_arrive_once(
    make_incident, demo, smtp_server, use_broker
):
    """Redis unreachable while the alert is published: the outbox rows wait; once the broker
    is back, the sweep (through a real worker) sends each exactly once."""
    celery_app.conf.update(task_always_eager=False, result_backend="cache+memory://")
    real_broker = celery_app.conf.broker_url
    try:
        use_broker("redis://127.0.0.1:1/0")  # nothing listens there
        incident = published(make_incident, demo, cities=("CC",))
        emails = Delivery.objects.filter(
            channel="email", notification__dedupe_key__startswith="alert:"
        )
        assert emails.count() == len(BUSINESS_AND_CS) and set(
            emails.values_list("state", flat=True)
        ) == {"pending"}
        assert smtp_server.messages == []

        use_broker(real_broker)  # the broker is back
        celery_app.control.purge()  # only this test's messages
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            first = sweep_deliveries_task.apply_async(ignore_result=False).get(timeout=30)
            again = sweep_deliveries_task.apply_async(ignore_result=False).get(timeout=30)
        every = Delivery.objects.filter(notification__dedupe_key__startswith="alert:")
        assert (first["sent"], again["sent"]) == (every.count(), 0)  # nothing twice
        assert set(emails.values_list("state", flat=True)) == {"sent"}
        recipients = sorted(m["to"][0] for m in smtp_server.messages)
        assert recipients == sorted(f"{u}@fenghuo.example" for u in BUSINESS_AND_CS)
        assert incident.number in smtp_server.messages[0]["subject"]
    finally:
        celery_app.conf.task_always_eager = True


def test_alert_messages_that_could_not_be_delivered_show_on_the_incident(
    make_incident, demo, client
):
    """Who was not reached is said where the incident is handled (to phone them), with the
    way to re-drive the messages for those who may."""
    incident = published(make_incident, demo, cities=("CC",))
    emails = Delivery.objects.filter(channel="email", notification__dedupe_key__startswith="alert:")
    client.force_login(demo["cs_contact"])
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'data-testid="undeliverable"' not in page
    lost = emails.filter(notification__recipient=demo["net_contact"])
    lost.update(state="dead", last_error="SMTPServerDisconnected: gone")
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    panel = page[page.index('data-testid="undeliverable"') :]
    assert "无法送达" in panel and "state__exact=dead" not in panel
    client.force_login(demo["admin"])
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "/admin/notifications/delivery/?state__exact=dead" in page
