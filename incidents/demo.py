"""Demo data of incidents: the defaults for `manage.py seed_demo`, and — with `--records`, as
`make run` does — a handful of incidents walked through the real services, so a newcomer
finds inboxes, deadlines, alerts and a dashboard with something in them."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from organisation.models import City, Department, Role
from organisation.selectors import department_people

from . import improvement_services, services
from .choices import SubmissionKind
from .defaults import apply_defaults
from .models import Incident
from .workflow import is_major, required_before_resolving

STEPS = (
    "classified",
    "dispatched",
    "handling",
    "submitted",
    "resolved",
    "improving",
    "improved",
    "closed",
)


def seed() -> None:
    apply_defaults()


def drive(incident: Incident, people: dict[str, User], to: str) -> Incident:
    """Move ``incident`` along the happy path, from its state up to ``to``, as the roles that
    own each step (``people`` by username: the demo organisation)."""
    owner = interface_person(incident.owning_department)
    steps = {
        "dispatched": lambda: services.incident_publish(
            incident_id=incident.pk, actor=people["cs_contact"]
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
        "improved": lambda: improve_all(incident, owner, people["manager"]),
        "closed": lambda: services.incident_close(incident_id=incident.pk, actor=people["manager"]),
    }
    incident.refresh_from_db()  # from where it stands
    for step in STEPS[STEPS.index(incident.state) + 1 : STEPS.index(to) + 1]:
        steps[step]()
    incident.refresh_from_db()
    return incident


def interface_person(department: Department | None) -> User:
    person = department_people(department, Role.INTERFACE_PERSON).first() if department else None
    if person is None:
        raise LookupError(f"{department} has no interface person to act for it.")
    return person


def submit_all(incident: Incident, owner: User) -> None:
    """Every submission the incident's level and source ask for."""
    incident.refresh_from_db()
    for kind in required_before_resolving(incident):
        content = (
            {"root_cause": "传输板卡故障", "handling_plan": "逐一回访受影响客户"}
            if kind == SubmissionKind.ROOT_CAUSE
            else {"text": f"{kind} 内容"}
        )
        services.incident_submit(incident_id=incident.pk, actor=owner, kind=kind, content=content)


def improve_all(incident: Incident, owner: User, working_group: User) -> None:
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


# (title, business line, city codes, customers affected, minutes ago, state to reach)
INCIDENTS = (
    ("长春、吉林、四平 4G 数据业务中断", "network", ("CC", "JL", "SP"), 30000, 50, "handling"),
    ("吉林市宽带批量掉线", "network", ("JL",), 6000, 25, "dispatched"),
    ("账单重复扣取流量包费用", "business_support", ("CC",), 2500, 90, "resolved"),
    ("视频彩铃业务播放异常", "value_added", ("TH",), 1200, 110, "closed"),
    ("政企专线延边区域中断", "enterprise_product", ("YB",), 300, 100, "improving"),
    ("白城地区语音通话质量下降", "network", ("BC",), 800, 10, "received"),
)


def seed_records() -> int:
    """Walk a few incidents through the services (only into an empty
    database); returns how many records were made."""
    if Incident.objects.exists():
        return 0
    people = {user.username: user for user in User.objects.select_related("profile__department")}
    now = timezone.now()
    made = []
    for title, line, cities, customers, minutes, to in INCIDENTS:
        incident = services.incident_create(
            actor=people["cs_contact"],
            title=title,
            business_line=line,
            source="business_risk",
            cities=list(City.objects.filter(code__in=cities)),
            customers_affected=customers,
            occurred_at=now - timedelta(minutes=minutes),
        )
        made.append(drive(incident, people, to) if to != "received" else incident)
    return len(made)
