"""Deliveries that were sent are pruned once past their retention; nothing under way,
nothing undeliverable and no inbox message goes with them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Channel, Delivery, DeliveryState, Notification
from notifications.services import deliveries_prune
from notifications.tasks import prune_deliveries_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(user_factory):
    return user_factory(username="alice", email="alice@fenghuo.example", mobile="13800001111")


def delivery(key, state, *, age_days, notification=None, fallback_of=None, channel="email"):
    """A delivery created and (if sent) sent ``age_days`` ago."""
    at = timezone.now() - timedelta(days=age_days)
    return Delivery.objects.create(
        notification=notification,
        channel=channel,
        address="alice@fenghuo.example" if channel == Channel.EMAIL else "13800001111",
        subject=f"消息 {key}",
        dedupe_key=key,
        state=state,
        sent_at=at if state == DeliveryState.SENT else None,
        created_at=at,
        next_attempt_at=at,
        fallback_of=fallback_of,
    )


def keys():
    return set(Delivery.objects.values_list("dedupe_key", flat=True))


def test_the_default_retention_is_ninety_days(settings):
    assert timedelta(days=90) == settings.DELIVERY_RETENTION


def test_only_sent_deliveries_past_the_retention_go_and_a_second_run_does_nothing(alice):
    notification = Notification.objects.create(
        recipient=alice, kind="test", subject="旧消息", dedupe_key="old", read_at=timezone.now()
    )
    delivery("sent-old", DeliveryState.SENT, age_days=91, notification=notification)
    delivery("sent-old-2", DeliveryState.SENT, age_days=200)
    delivery("sent-recent", DeliveryState.SENT, age_days=89)
    delivery("pending-old", DeliveryState.PENDING, age_days=120)
    delivery("sending-old", DeliveryState.SENDING, age_days=120)
    delivery("dead-old", DeliveryState.DEAD, age_days=120)
    assert deliveries_prune() == 2
    assert deliveries_prune() == 0
    assert keys() == {"sent-recent", "pending-old", "sending-old", "dead-old"}
    # the inbox message the person read stays
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_a_delivery_goes_after_the_ones_standing_in_for_it_and_never_with_one_under_way(alice):
    # sent by email, then also by SMS (the email failed once on its way); both sent long ago
    email = delivery("chain-email", DeliveryState.SENT, age_days=100)
    delivery("chain-sms", DeliveryState.SENT, age_days=100, fallback_of=email, channel="sms")
    # sent long ago, but the message it stands in for is still being retried on SMS
    other = delivery("busy-email", DeliveryState.SENT, age_days=100)
    delivery("busy-sms", DeliveryState.PENDING, age_days=100, fallback_of=other, channel="sms")
    assert deliveries_prune(batch=1) == 2
    assert keys() == {"busy-email", "busy-sms"}


def test_a_setting_keeps_them_longer_or_for_good(alice, settings):
    delivery("sent-old", DeliveryState.SENT, age_days=91)
    settings.DELIVERY_RETENTION = timedelta(days=365)
    assert deliveries_prune() == 0
    settings.DELIVERY_RETENTION = timedelta(0)
    assert deliveries_prune() == 0
    assert keys() == {"sent-old"}
    settings.DELIVERY_RETENTION = timedelta(days=30)
    assert deliveries_prune() == 1


def test_the_beat_task_prunes_once(alice):
    delivery("sent-old", DeliveryState.SENT, age_days=91)
    assert prune_deliveries_task.delay().get() == 1
    assert prune_deliveries_task.delay().get() == 0
    assert not Delivery.objects.exists()
