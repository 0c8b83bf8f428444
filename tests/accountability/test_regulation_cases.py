"""Cases written from the regulations, not from the code: who answers for a fault ticket's
repair limit and what its delay costs (seed 003), who is criticised for a first-ask violation
(seed 002 六(四)), and how the bottom three are found when rates tie (seed 002 六(三))."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accountability import services
from accountability.models import Violation
from accountability.selectors import assessment_summary, rankings
from complaints import services as cs
from deadlines.services import deadlines_sweep
from organisation.models import City, Department

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TAKEN = datetime(2026, 11, 18, 9, 0, tzinfo=SH)  # a Wednesday


def fault_ticket(demo, **overrides):
    data = {
        "channel": "hotline", "customer_name": "赵女士", "customer_phone": "13904310001",
        "customer_account": "0431-85550001", "city": City.objects.get(code="CC"),
        "address": "长春市南关区", "business_line": "network", "summary": "宽带断网",
        "description": "家中宽带从早上起无法上网。",
    }  # fmt: skip
    data.update(overrides)
    return cs.complaint_create(actor=demo["hotline1"], **data)


def dispatch_to_branch(demo, complaint):
    branch = Department.objects.get(code="BR-CC")
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=branch)
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["cc_contact"], handler=demo["cc_contact"]
    )
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["cc_contact"])
    return branch


def test_the_repair_limit_is_22_hours_and_runs_against_the_branch_it_was_dispatched_to(demo):
    with time_machine.travel(TAKEN, tick=False):
        ticket = fault_ticket(demo)
        repair = ticket.deadlines.get(kind="complaint-repair")
        # 维护人员22小时内为用户排除故障 (seed 003 第六条)
        assert repair.due_at == TAKEN + timedelta(hours=22)
        assert repair.responsible_department.kind == "customer_service"  # not dispatched yet
        branch = dispatch_to_branch(demo, ticket)
    repair.refresh_from_db()
    assert (repair.responsible_department, repair.responsible_person) == (
        branch,
        demo["cc_contact"],
    )
    deadlines_sweep(now=repair.due_at + timedelta(minutes=1))
    violation = Violation.objects.get(rule__code="repair-delay")
    assert (violation.department, violation.person) == (branch, demo["cc_contact"])
    assert violation.deadline == repair


def test_a_ticket_sent_back_returns_its_limits_to_whoever_took_it(demo):
    with time_machine.travel(TAKEN, tick=False):
        ticket = fault_ticket(demo)
        wrong = Department.objects.get(code="MKT")
        cs.complaint_dispatch(complaint_id=ticket.pk, actor=demo["hotline1"], department=wrong)
        cs.complaint_return(complaint_id=ticket.pk, actor=demo["mkt_contact"], reason="非本部门")
    repair = ticket.deadlines.get(kind="complaint-repair")
    assert repair.responsible_department.kind == "customer_service"
    assert repair.responsible_person == demo["hotline1"]


def test_a_repair_finished_3_hours_late_costs_24_yuan(demo):
    with time_machine.travel(TAKEN, tick=False):
        ticket = fault_ticket(demo)
        dispatch_to_branch(demo, ticket)
    due = ticket.deadlines.get(kind="complaint-repair").due_at
    deadlines_sweep(now=due + timedelta(minutes=1))  # breached: proposed while still running
    with time_machine.travel(due + timedelta(hours=2, minutes=10), tick=False):
        cs.complaint_reply(
            complaint_id=ticket.pk,
            actor=demo["cc_contact"],
            resolved_at=timezone.now(),
            cause_and_result="分线盒进水，已更换",
            delay_reason="备件调拨",
        )
    violation = Violation.objects.get(rule__code="repair-delay")
    with time_machine.travel(due + timedelta(days=3), tick=False):  # determined days later
        services.violation_confirm(
            violation_id=violation.pk, actor=demo["mkt_contact"], reason="属实"
        )
    violation.refresh_from_db()
    # 2 h 10 min late counts 3 hours: 3 × 8 yuan (seed 003 第九条(一)12: 每时考核8元)
    assert violation.units_late == 3
    assert violation.shares.get(role="responsible").yuan == 24


def test_a_first_ask_violation_criticises_the_responsible_person_and_the_unit_head(demo):
    form = services.interaction_form_create(
        actor=demo["csc_contact"], department=Department.objects.get(code="BR-CC"),
        responsible_person="营业员甲", customer_name="王先生", complaint_reason="办理业务被推诿",
        violation_description="营业员要求客户拨打热线", cs_opinion="涉嫌违反首问责任制",
        phone="13800000002", person=demo["cc_contact"],
    )  # fmt: skip
    services.violation_confirm(
        violation_id=form.violation.pk, actor=demo["mkt_leader"], reason="属实", bonus_months=2
    )
    criticised = {
        (share.role, share.person.username)
        for share in form.violation.shares.filter(circulated_criticism=True)
    }
    # 对违反“首问责任制”的首问责任人员……进行全省通报批评；对所在单位负责人……进行全省通报批评
    assert criticised == {("responsible", "cc_contact"), ("department_head", "cc_leader")}
    people = assessment_summary(Violation.objects.filter(pk=form.violation.pk))["people"]
    assert (people["cc_contact"]["criticised"], people["cc_leader"]["criticised"]) == (1, 1)


# working days: a week whose calendar is known (at a year's end the limit would wait for it)
@time_machine.travel(TAKEN, tick=True)
def test_a_late_self_inspection_report_criticises_the_unit_through_its_head(demo):
    violation = services.violation_propose(
        rule=services.PenaltyRule.objects.get(code="missed-ticket"),
        evidence_key="manual:late-report",
        department=Department.objects.get(code="BR-CC"),
        person=demo["cc_contact"],
        actor=demo["mkt_contact"],
    )
    services.violation_request_inspection(violation_id=violation.pk, actor=demo["mkt_contact"])
    report = violation.deadlines.get(kind="accountability-self-inspection-report")
    deadlines_sweep(now=report.due_at + timedelta(minutes=1))
    criticised = set(
        violation.shares.filter(circulated_criticism=True).values_list("role", flat=True)
    )
    assert criticised == {"department_head"}


def archive(demo, code, *, satisfied_first_time, phone):
    """One complaint of ``code``'s, handled and archived; unsatisfied the first time means
    handled twice, which is no first-ask resolution."""
    ticket = fault_ticket(demo, customer_phone=phone, business_line="service")
    department = Department.objects.get(code=code)
    contact = department.members.get(user__username=f"{code.lower()}_contact").user
    cs.complaint_dispatch(complaint_id=ticket.pk, actor=demo["hotline1"], department=department)
    cs.complaint_hand_over(complaint_id=ticket.pk, actor=contact, handler=contact)
    for satisfied in (True,) if satisfied_first_time else (False, True):
        cs.complaint_contact(complaint_id=ticket.pk, actor=contact)
        cs.complaint_reply(
            complaint_id=ticket.pk,
            actor=contact,
            resolved_at=timezone.now(),
            cause_and_result="已处理",
            delay_reason="—",
        )
        cs.complaint_callback(complaint_id=ticket.pk, actor=demo["hotline1"], satisfied=satisfied)


@time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=SH), tick=True)
def test_units_tied_with_the_third_lowest_first_ask_rate_share_the_place(demo, client):
    # first-ask resolved / closed: NET 2/2, MKT 0/1, DATA 1/2, ENT 1/2, LEGAL 1/2 (three tied)
    outcomes = {
        "NET": (True, True), "MKT": (False,), "DATA": (True, False), "ENT": (False, True),
        "LEGAL": (True, False),
    }  # fmt: skip
    phone = 13904320000
    for code, firsts in outcomes.items():
        for first in firsts:
            phone += 1
            archive(demo, code, satisfied_first_time=first, phone=str(phone))
    table = {row["department"].code: row for row in rankings("2026-11")}
    barred = {code: row["bottom_place"] for code, row in table.items() if row["excellent_barred"]}
    # 部门“首问责任”问题解决率排名后三名的单位或部门不能参加年度优秀单位评比: MKT is last; DATA,
    # ENT and LEGAL share second-to-last (并列), all barred
    assert barred == {"MKT": 1, "DATA": 2, "ENT": 2, "LEGAL": 2}
    assert [table[c]["tied"] for c in ("MKT", "DATA", "ENT", "LEGAL")] == [False, True, True, True]
    assert not table["NET"]["excellent_barred"]
    client.force_login(demo["manager"])
    page = client.get("/accountability/rankings/?period=2026-11").content.decode()
    assert page.count("倒数第 2 名（并列）") == 3 and "并列" in page


def test_a_unit_sees_only_its_own_part_of_the_monthly_assessment(demo, client):
    """The assessment names people and fines: a unit's people see their own items and the
    shares their department bears; marketing and the managers see the province."""
    period = timezone.localtime().strftime("%Y-%m")
    for code, evidence in (("NET", "manual:net"), ("BR-CC", "manual:cc")):
        violation = services.violation_propose(
            rule=services.PenaltyRule.objects.get(code="missed-ticket"),
            evidence_key=evidence,
            department=Department.objects.get(code=code),
            actor=demo["mkt_contact"],
        )
        services.violation_confirm(
            violation_id=violation.pk, actor=demo["mkt_contact"], reason="属实"
        )
    net, cc = (
        Violation.objects.get(department__code="NET"),
        Violation.objects.get(department__code="BR-CC"),
    )
    client.force_login(demo["cc_contact"])
    page = client.get(f"/accountability/assessments/{period}/").content.decode()
    assert cc.number in page and net.number not in page and "网络部" not in page
    from openpyxl import load_workbook

    xlsx = client.get(f"/accountability/assessments/{period}/export.xlsx")
    cells = {
        cell
        for sheet in load_workbook(BytesIO(xlsx.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert cc.number in cells and net.number not in cells and "网络部" not in cells
    for who in ("mkt_contact", "manager"):
        client.force_login(demo[who])
        page = client.get(f"/accountability/assessments/{period}/").content.decode()
        assert cc.number in page and net.number in page
    services.assessment_approve(period=period, actor=demo["manager"])
    services.assessment_publish(period=period, actor=demo["manager"])
    client.force_login(demo["net_contact"])  # the published summary is the province's
    page = client.get(f"/accountability/assessments/{period}/").content.decode()
    assert net.number in page and cc.number not in page and "长春分公司" not in page
