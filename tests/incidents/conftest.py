from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidents import improvement_services, services
from incidents.choices import SubmissionKind
from incidents.workflow import is_major
from organisation.demo import seed_demo
from organisation.models import City


@pytest.fixture
def demo(db):
    """The demo province; ``demo["net_contact"]`` etc. are its people."""
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


@pytest.fixture
def make_incident(demo):
    """Create an incident through the service, as the CS department's interface person."""

    def make(actor="cs_contact", cities=("CC",), **facts):
        facts.setdefault("title", "长春地区4G数据业务中断")
        facts.setdefault("business_line", "network")
        facts.setdefault("source", "business_risk")
        facts.setdefault("occurred_at", timezone.now() - timedelta(minutes=30))
        return services.incident_create(
            actor=demo[actor], cities=list(City.objects.filter(code__in=cities)), **facts
        )

    return make


def drive(incident, demo, to: str):
    """Move ``incident`` along the happy path, from its state up to ``to``, as the roles that
    own each step."""
    order = [
        "classified",
        "dispatched",
        "handling",
        "submitted",
        "resolved",
        "improving",
        "improved",
        "closed",
    ]
    owner = next(
        user
        for user in demo.values()
        if user.username.endswith("_contact")
        and user.profile.department_id == incident.owning_department_id
    )
    steps = {
        "dispatched": lambda: services.incident_publish(
            incident_id=incident.pk, actor=demo["cs_contact"]
        ),
        "handling": lambda: services.incident_acknowledge(incident_id=incident.pk, actor=owner),
        "submitted": lambda: submit_all(incident, owner),
        "resolved": lambda: services.incident_resolve(
            incident_id=incident.pk,
            actor=owner,
            restored_at=timezone.now(),
            cause_and_result="基站传输板卡故障，已更换，业务恢复",
        ),
        "improving": lambda: services.incident_start_improvement(
            incident_id=incident.pk, actor=owner
        ),
        "improved": lambda: improve_all(incident, owner, demo["manager"]),
        "closed": lambda: services.incident_close(incident_id=incident.pk, actor=demo["manager"]),
    }
    incident.refresh_from_db()  # from where it stands
    for step in order[order.index(incident.state) + 1 : order.index(to) + 1]:
        steps[step]()
    incident.refresh_from_db()
    return incident


def submit_all(incident, owner):
    incident.refresh_from_db()
    kinds = [SubmissionKind.EXPLANATION, SubmissionKind.ROOT_CAUSE]
    if incident.source == "hq":
        kinds += [SubmissionKind.HQ_FEEDBACK, SubmissionKind.HQ_PLAN]
    if incident.source == "hq" or incident.level in ("red", "orange"):
        kinds.append(SubmissionKind.LEADERSHIP_REPORT)
    for kind in kinds:
        content = (
            {"root_cause": "传输板卡故障", "handling_plan": "逐一回访受影响客户"}
            if kind == SubmissionKind.ROOT_CAUSE
            else {"text": f"{kind} 内容"}
        )
        services.incident_submit(incident_id=incident.pk, actor=owner, kind=kind, content=content)


def improve_all(incident, owner, working_group):
    """What closing needs: the summary report; for a major event also a meeting, one measure
    done and verified, and the special bulletin."""
    incident.refresh_from_db()
    major = is_major(incident)
    meeting = (
        {
            "meeting_date": timezone.localdate(),
            "attendees": "网络部、客户服务部",
            "conclusions": "加强巡检",
        }
        if major
        else {}
    )
    improvement_services.incident_report_summary(
        incident_id=incident.pk,
        actor=owner,
        cause="传输板卡老化",
        process="定位、更换板卡、回访客户",
        result="业务恢复",
        lessons="备件储备不足",
        **meeting,
    )
    if major:
        item = improvement_services.action_item_add(
            incident_id=incident.pk,
            actor=owner,
            title="全省同型号板卡巡检",
            owner_department=incident.owning_department,
            due_at=timezone.now() + timedelta(days=7),
        )
        improvement_services.action_item_complete(item_id=item.pk, actor=owner, evidence="巡检报告")
        improvement_services.action_item_verify(item_id=item.pk, actor=working_group)
        improvement_services.incident_report_bulletin(
            incident_id=incident.pk,
            actor=owner,
            effect="同类故障未再发生",
            reported_to="主管副总经理、应急处理领导组",
            reported_at=timezone.now(),
        )
