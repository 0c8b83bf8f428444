"""The demo's planned work: announced work open now in Songyuan (a city the demo's complaints
do not come from, so their story stays as it is; Baicheng is kept out of the demo's records
for the scoping walk), and work awaiting approval in Jilin City."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from organisation.models import City, Department

from . import services
from .models import PlannedWork


def seed_records() -> int:
    """Only into a database without planned work; returns how many were made."""
    if PlannedWork.objects.exists():
        return 0
    network = Department.objects.get(code="NET")
    author = User.objects.get(username="net_contact")
    approver = User.objects.get(username="cs_contact")
    now = timezone.now()
    common = {"actor": author, "owning_department": network}
    open_now = services.planned_work_create(
        **common,
        title="松原宁江区核心网设备升级",
        business_lines=["network"],
        kind="upgrade",
        cities=[City.objects.get(code="SY")],
        districts="宁江区",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        customer_impact="宁江区4G数据业务间断，每次不超过15分钟",
        customers_affected=8000,
    )
    services.planned_work_submit(work_id=open_now.pk, actor=author)  # announced beforehand
    services.planned_work_approve(work_id=open_now.pk, actor=approver, note="同意，请备好解释口径")
    # ... and its window has opened since
    PlannedWork.objects.filter(pk=open_now.pk).update(starts_at=now - timedelta(hours=1))
    services.planned_work_create(
        **common,
        title="吉林市船营区光缆迁改",
        business_lines=["enterprise_product"],
        kind="cable_box",
        cities=[City.objects.get(code="JL")],
        districts="船营区",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        customer_impact="船营区部分集团专线中断约2小时",
        customers_affected=1500,
        submit=True,
    )
    return 2
