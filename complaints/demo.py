"""Demo complaints: with `manage.py seed_demo --records`, as `make run` does, a handful of
complaints taken by the hotline and walked through the real services (some linked to the demo
outage, some settled during the call, some answered by a department and archived)."""

from django.contrib.auth.models import User
from django.utils import timezone

from incidents.demo import INCIDENTS, interface_person
from incidents.models import Incident
from organisation.models import City, Department

from . import services
from .models import Complaint

# (name, phone, city, business line, what they say, what becomes of it: left with the
# hotline, settled during the call, or answered by the department of that code and archived)
CUSTOMERS = (
    ("王先生", "13812345678", "CC", "network", "家里 4G 信号差，上网很慢", ""),
    ("李女士", "13900001111", "JL", "network", "宽带下午起一直掉线", "NET"),
    ("张先生", "13604312222", "CC", "billing", "本月流量包被扣了两次", "first contact"),
    ("赵女士", "13756783333", "SP", "network", "手机上不了网，网页打不开", ""),
    ("刘先生", "15843214444", "TH", "value_added", "视频彩铃放不出来", ""),
    ("陈女士", "18943105555", "YB", "enterprise_product", "公司专线中断，影响营业", ""),
    ("杨先生", "13009876666", "LY", "service", "营业厅办理业务等候太久", "MKT"),
    ("周女士", "13154327777", "BS", "billing", "没订购的增值业务被扣费", ""),
)


def seed_records() -> int:
    """Take the demo customers' complaints (only into a database without complaints);
    returns how many were made."""
    if Complaint.objects.exists():
        return 0
    hotline = User.objects.get(username="hotline1")
    outage = Incident.objects.filter(title=INCIDENTS[0][0]).first()
    for index, (name, phone, city, line, summary, outcome) in enumerate(CUSTOMERS):
        complaint = services.complaint_create(
            actor=hotline,
            channel="hotline",
            customer_name=name,
            customer_phone=phone,
            customer_account=f"0431-{8800_0000 + index}",
            city=City.objects.get(code=city),
            address=f"{city} 市人民大街 {100 + index} 号",
            business_line=line,
            summary=summary,
            description=f"{summary}，请尽快处理。",
            incident=outage if city in ("CC", "SP") and line == "network" else None,
        )
        if outcome == "first contact":
            services.complaint_resolve_first_contact(
                complaint_id=complaint.pk, actor=hotline, satisfaction="satisfied"
            )
        elif outcome:
            _answer(complaint, hotline, Department.objects.get(code=outcome))
    return len(CUSTOMERS)


def _answer(complaint: Complaint, hotline: User, department: Department) -> None:
    """Dispatch, hand over, contact, reply and call back: one complaint archived."""
    contact = interface_person(department)
    pk = complaint.pk
    services.complaint_dispatch(complaint_id=pk, actor=hotline, department=department)
    services.complaint_hand_over(complaint_id=pk, actor=contact, handler=contact)
    services.complaint_contact(complaint_id=pk, actor=contact)
    services.complaint_reply(
        complaint_id=pk,
        actor=contact,
        resolved_at=timezone.now(),
        cause_and_result="已现场处理，客户确认恢复",
    )
    services.complaint_callback(complaint_id=pk, actor=hotline, satisfied=True)
