"""`seed_demo --records` (what `make run` loads): records walked through the real workflow."""

from io import StringIO

import pytest
from django.core.management import call_command

from alerts.models import AlertRecipient
from complaints.models import Complaint
from dashboards.selectors import Filters, overview
from deadlines.models import Deadline
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_demo_records_fill_every_stage_once(settings):
    settings.DEBUG = True  # the demo refuses to run in production
    out = StringIO()
    call_command("seed_demo", "--records", stdout=out)
    assert "16 made" in out.getvalue()  # 6 incidents, 8 complaints, 2 planned works
    assert dict(Incident.objects.values_list("title", "state")) == {
        "长春、吉林、四平 4G 数据业务中断": "handling",
        "吉林市宽带批量掉线": "dispatched",
        "账单重复扣取流量包费用": "resolved",
        "视频彩铃业务播放异常": "closed",
        "政企专线延边区域中断": "improving",
        "白城地区语音通话质量下降": "classified",
    }
    outage = Incident.objects.get(title__startswith="长春")
    assert outage.level == "orange"  # three cities
    assert outage.complaints.count() == 2
    assert sorted(Complaint.objects.values_list("state", flat=True)) == [
        "archived", "archived", "archived", "received", "received", "received", "received",
        "received",
    ]  # fmt: skip
    assert Deadline.objects.filter(state="pending").exists()
    assert AlertRecipient.objects.filter(acknowledged_at__isnull=True).exists()
    # the dashboard shows them at once, not after the rollup job's first run
    assert overview(Filters.default())["complaints_today"] == 8

    again = StringIO()
    call_command("seed_demo", "--records", stdout=again)
    assert "has records already" in again.getvalue()
    assert Incident.objects.count() == 6 and Complaint.objects.count() == 8
