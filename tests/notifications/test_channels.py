"""Every channel against a real peer: SMTP, an SMS gateway, DingTalk, WeCom and Feishu robots
and a webhook receiver (local HTTP servers that check what the platforms check)."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Channel, Delivery, Endpoint, SmsGateway
from notifications.services import (
    broadcast,
    deliveries_redrive,
    deliveries_sweep,
    delivery_send,
    notify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(user_factory):
    person = user_factory(username="alice", email="alice@fenghuo.example", mobile="13800001111")
    return person


def send_all():
    return [delivery_send(delivery_id=pk) for pk in Delivery.objects.values_list("pk", flat=True)]


def test_email_reaches_a_real_smtp_server(alice, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind="test", subject="测试主题", body="正文", dedupe_key="k1")
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["to"] == ["alice@fenghuo.example"] and mail["subject"] == "测试主题"
    assert "正文" in mail["body"]
    assert Delivery.objects.get(channel="email").state == "sent"


def test_the_same_message_twice_is_sent_once(
    alice, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind="test", subject="一次", dedupe_key="same")
        notify(recipients=[alice], kind="test", subject="一次", dedupe_key="same")
    assert len(smtp_server.messages) == 1
    delivery = Delivery.objects.get()
    # a redelivered task finds the row taken and sends nothing
    assert delivery_send(delivery_id=delivery.pk) is None
    assert len(smtp_server.messages) == 1


def test_sms_through_the_http_gateway(alice, http_server, django_capture_on_commit_callbacks):
    SmsGateway.objects.create(
        name="gateway",
        backend="http",
        url=f"{http_server.url}/sms/send",
        auth_header="Bearer sms-token",
        body_template='{"mobile": "{phone}", "content": "{text}", "sign": "烽火"}',
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice],
            kind="test",
            subject='含"引号"的短信',
            dedupe_key="s",
            channels=[Channel.SMS],
        )
    request = http_server.requests[0]
    assert request.path == "/sms/send"
    assert request.headers["Authorization"] == "Bearer sms-token"
    assert request.json() == {"mobile": "13800001111", "content": '含"引号"的短信', "sign": "烽火"}


def endpoint(http_server, channel, secret="s3cret", path="/robot"):
    return Endpoint.objects.create(
        channel=channel, name=channel, url=f"{http_server.url}{path}", secret=secret
    )


def test_dingtalk_robot_is_signed_as_dingtalk_checks(
    http_server, django_capture_on_commit_callbacks
):
    endpoint(http_server, Channel.DINGTALK, path="/robot/send?access_token=abc")
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="d", subject="红色预警", body="五地市")
    request = http_server.requests[0]
    query = parse_qs(urlsplit(request.path).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(
        hmac.new(b"s3cret", f"{timestamp}\ns3cret".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected and query["access_token"] == ["abc"]
    assert abs(int(timestamp) / 1000 - timezone.now().timestamp()) < 60
    body = request.json()
    assert body["msgtype"] == "markdown" and "红色预警" in body["markdown"]["text"]


def test_wecom_robot(http_server, django_capture_on_commit_callbacks):
    endpoint(http_server, Channel.WECOM, secret="", path="/cgi-bin/webhook/send?key=k")
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="w", subject="橙色预警", body="三地市")
    body = http_server.requests[0].json()
    assert body["msgtype"] == "markdown" and "橙色预警" in body["markdown"]["content"]


def test_feishu_robot_is_signed_as_feishu_checks(http_server, django_capture_on_commit_callbacks):
    endpoint(http_server, Channel.FEISHU)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="f", subject="黄色预警", body="一地市")
    body = http_server.requests[0].json()
    key = f"{body['timestamp']}\ns3cret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "text" and "黄色预警" in body["content"]["text"]


def test_webhook_is_hmac_signed(http_server, django_capture_on_commit_callbacks):
    Endpoint.objects.create(
        channel=Channel.WEBHOOK, name="billing", url=f"{http_server.url}/hook", secret="hook-secret",
        events=["alert.published"],
    )  # fmt: skip
    Endpoint.objects.create(
        channel=Channel.WEBHOOK,
        name="other",
        url=f"{http_server.url}/other",
        events=["something.else"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(
            event="alert.published", dedupe_key="h", subject="红色", payload={"number": "INC-1"}
        )
    assert [r.path for r in http_server.requests] == ["/hook"]
    request = http_server.requests[0]
    timestamp = request.headers["X-Fenghuo-Timestamp"]
    mac = hmac.new(b"hook-secret", timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["X-Fenghuo-Signature"] == "sha256=" + mac.hexdigest()
    assert request.json()["data"]["number"] == "INC-1"
    assert request.headers["X-Fenghuo-Delivery"] == request.json()["delivery"]


def test_failures_are_retried_with_back_off_until_the_horizon_then_shown_and_redriven(
    http_server, django_capture_on_commit_callbacks, settings
):
    http_server.reply = (500, {"error": "busy"})
    endpoint(http_server, Channel.WEBHOOK, secret="")
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="r", subject="x")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "HTTP 500" in delivery.last_error
    first_wait = delivery.next_attempt_at - timezone.now()
    assert settings.DELIVERY_BACKOFF / 2 - timedelta(seconds=1) <= first_wait
    assert first_wait <= settings.DELIVERY_BACKOFF
    assert deliveries_sweep()["sent"] == 0  # the back-off is not over: nothing is sent
    start = timezone.now()
    hours = int(settings.DELIVERY_RETRY_HORIZON / timedelta(hours=1))
    for hour in range(1, hours + 1):  # an outage of a whole day: tried every hour
        deliveries_sweep(now=start + timedelta(hours=hour, minutes=1))
    delivery.refresh_from_db()
    assert delivery.state == "dead" and delivery.attempts == hours + 1
    assert len(http_server.requests) == delivery.attempts
    # the outage is over: a person re-drives it, and it goes out
    http_server.reply = (200, {})
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_redrive(delivery_ids=[delivery.pk]) == 1
    delivery.refresh_from_db()
    assert delivery.state == "sent" and len(http_server.requests) == hours + 2


def test_a_robot_that_answers_an_error_code_is_a_failure(
    http_server, django_capture_on_commit_callbacks
):
    http_server.reply = (200, {"errcode": 310000, "errmsg": "sign not match"})
    endpoint(http_server, Channel.DINGTALK)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="e", subject="x")
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and "sign not match" in delivery.last_error


def test_a_person_can_switch_a_channel_off(
    alice, smtp_server, client, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post("/notifications/preferences/", {"sms": "on"})  # email unchecked
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice],
            kind="test",
            subject="只在站内",
            dedupe_key="p",
            channels=[Channel.EMAIL],
        )
    assert smtp_server.messages == []
    assert alice.notifications.get().subject == "只在站内"


# --- the SMS gateway's templates ---------------------------------------------------------------


def test_a_batch_body_fills_a_list_of_messages_or_two_lists():
    gateway = SmsGateway(body_template='{"mobile": "{phone}", "content": "{text}"}')
    phones, texts = ["13800000001", "13800000002"], ['告警 "红色"', "{phones} 照写"]
    gateway.batch_template = '{"list": {messages}}'
    assert json.loads(gateway.batch_body(phones, texts)) == {
        "list": [
            {"mobile": "13800000001", "content": '告警 "红色"'},
            {"mobile": "13800000002", "content": "{phones} 照写"},
        ]
    }
    gateway.batch_template = '{"PhoneNumberJson": {phones}, "TemplateParamJson": {texts}}'
    assert json.loads(gateway.batch_body(phones, texts)) == {
        "PhoneNumberJson": phones,
        "TemplateParamJson": texts,  # a text that reads like a placeholder stays as written
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"body_template": '{"phone": "{phone}", "text": {text}}'}, "body_template"),
        ({"batch_size": 100, "batch_template": '{"list": [{messages}]'}, "batch_template"),
        ({"batch_size": 100, "batch_template": '{"list": []}'}, "batch_template"),  # no place
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_a_gateway_whose_templates_make_no_json_is_refused_naming_the_field(values, field):
    gateway = SmsGateway(name="gw", backend="http", url="http://sms.example/send", **values)
    with pytest.raises(ValidationError) as refused:
        gateway.full_clean()
    assert list(refused.value.message_dict) == [field]


def test_a_gateway_that_sends_each_alone_needs_no_batch_template():
    SmsGateway(
        name="gw", backend="http", url="http://sms.example/send", batch_template="not json"
    ).full_clean()
