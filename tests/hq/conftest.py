import base64
import json
import time

import pytest
from django.contrib.auth.models import User

from hq.signing import signature
from organisation.demo import seed_demo

SECRET = "hq-shared-secret"


@pytest.fixture
def demo(db):
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


@pytest.fixture
def webhook(settings, client):
    """``webhook(payload, ...)`` posts HQ's warning signed with the shared secret (or as
    told: another secret, another timestamp, no signature)."""
    settings.HQ_WEBHOOK_SECRET = SECRET

    def post(payload, *, secret=SECRET, timestamp=None, signed=True, raw=None):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {}
        if signed:
            headers = {
                "HTTP_X_FENGHUO_TIMESTAMP": timestamp,
                "HTTP_X_FENGHUO_SIGNATURE": signature(secret, timestamp, body),
            }
        return client.post(
            "/api/v1/hq/warnings/", data=body, content_type="application/json", **headers
        )

    return post


def warning(**overrides):
    payload = {
        "reference": "ZB-2026-0417",
        "level": "level1",
        "title": "全网短信业务异常",
        "text": "总部通报：全网短信下发延迟，请各省立即核查并反馈。",
        "sent_at": "2026-03-10T09:00:00+08:00",
        "attachment_name": "通报.txt",
        "attachment_type": "text/plain",
        "attachment": base64.b64encode("附件原文".encode()).decode(),
    }
    payload.update(overrides)
    return payload
