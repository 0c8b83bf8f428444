"""The reports that go up (seed 000 第八条(三), 第十一条, 第十二条(二)): generated from the
incident in the seed's order, edited and approved by the owner, sent by e-mail with the PDF
(to a real SMTP server) and through the robots (to a real HTTP server); sending records the
submission, which meets the deadline."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from deadlines.models import Deadline
from hq import services
from hq.models import Report, ReportRecipient
from hq.reports import SECTIONS
from hq.tasks import deliver_report_task
from incidents import services as incident_services
from notifications.models import Endpoint

NOW = datetime.fromisoformat("2026-03-10T09:30:00+08:00")
SEED_ORDER = [
    "level",  # 预警级别
    "occurred_at",  # 事件发生的时间
    "scope",  # 影响范围
    "customers",  # 可能影响的客户数
    "content",  # 事件主要内容
    "complaints",  # 客户投诉量
    "complaint_issues",  # 客户主要的投诉问题
    "cause",  # 故障原因（如不能及时查清则可以不写）
    "handling",  # 目前处理情况
]


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def incident(demo):
    """An HQ level-1 warning on the network line, taken on by the network department."""
    warning, _created = services.hq_warning_receive(
        reference="ZB-2026-0417",
        level="level1",
        title="全网短信业务异常",
        text="总部通报：全网短信下发延迟。",
        sent_at=NOW - timedelta(minutes=30),
        raw=b"{}",
        intake="webhook",
        business_line="network",
    )
    incident = warning.incident
    incident_services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    incident_services.incident_acknowledge(incident_id=incident.pk, actor=demo["net_contact"])
    return incident


def url(incident, *rest):
    return "/".join([f"/api/v1/incidents/{incident.pk}/reports", *map(str, rest)]) + "/"


def test_sections_follow_the_seed_order():
    assert [key for key, _label in SECTIONS] == SEED_ORDER


def test_a_report_is_generated_from_the_incident(demo, incident, client):
    client.force_login(demo["net_contact"])
    response = client.post(url(incident), {"kind": "leadership_report"}, "application/json")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert [s["key"] for s in report["sections"]] == SEED_ORDER
    texts = {s["key"]: s["text"] for s in report["sections"]}
    assert "ZB-2026-0417" in texts["level"]
    assert texts["occurred_at"] == "2026-03-10 09:00"
    assert texts["content"] == "总部通报：全网短信下发延迟。"
    assert report["state"] == "draft"
    # asked again: the same unsent draft
    again = client.post(url(incident), {"kind": "leadership_report"}, "application/json")
    assert again.status_code == 200 and again.json()["id"] == report["id"]
    plan = client.post(url(incident), {"kind": "hq_plan"}, "application/json").json()
    assert [s["key"] for s in plan["sections"]] == [*SEED_ORDER, "plan"]


def test_only_the_owner_prepares_and_only_when_the_workflow_allows(demo, incident, client):
    client.force_login(demo["csc_contact"])
    assert (
        client.post(url(incident), {"kind": "hq_feedback"}, "application/json").status_code == 403
    )
    client.force_login(demo["net_contact"])
    bad = client.post(url(incident), {"kind": "summary"}, "application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "kind"
    # the bulletin waits for the rectification
    assert client.post(url(incident), {"kind": "bulletin"}, "application/json").status_code == 409


def _approved(demo, incident, kind="leadership_report"):
    report, _created = services.report_prepare(
        incident_id=incident.pk, actor=demo["net_contact"], kind=kind
    )
    sections = {"complaint_issues": "短信延迟到达、验证码收不到"}
    if kind == "hq_plan":
        sections["plan"] = "扩容短信网关，2小时内恢复。"
    services.report_edit(
        report_id=report.pk, actor=demo["net_contact"], title=report.title, sections=sections
    )
    return services.report_approve(report_id=report.pk, actor=demo["net_contact"])


def test_approval_needs_every_section_but_the_cause(demo, incident, client):
    client.force_login(demo["net_contact"])
    report = client.post(url(incident), {"kind": "leadership_report"}, "application/json").json()
    early_send = client.post(url(incident, report["id"], "send"))
    assert early_send.status_code == 409
    refused = client.post(url(incident, report["id"], "approve"))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "complaint_issues"
    edited = client.patch(
        url(incident, report["id"]),
        {"title": "关于全网短信业务异常的报告", "sections": {"complaint_issues": "验证码收不到"}},
        "application/json",
    )
    assert edited.status_code == 200, edited.json()
    approved = client.post(url(incident, report["id"], "approve"))
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    unknown = client.patch(
        url(incident, report["id"]), {"title": "x", "sections": {"nope": "x"}}, "application/json"
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["attr"] == "nope"


def test_sending_mails_the_pdf_posts_to_the_robot_and_meets_the_deadline(
    demo, incident, client, smtp_server, http_server, django_capture_on_commit_callbacks
):
    robot = Endpoint.objects.create(channel="dingtalk", name="领导组群机器人", url=http_server.url)
    ReportRecipient.objects.create(kind="leadership_report", name="领导组群", endpoint=robot)
    report = _approved(demo, incident)
    client.force_login(demo["net_contact"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(incident, report.pk, "send"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "sent"
    assert {(d["name"], d["channel"]) for d in body["deliveries"]} == {
        ("省公司主管领导及应急处理领导组", "email"),
        ("领导组群", "dingtalk"),
    }
    [mail] = smtp_server.messages
    assert mail["to"] == ["leadership@fenghuo.example"]
    [(filename, content_type, pdf)] = mail["attachments"]
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    assert pdf.startswith(b"%PDF") and b"FontFile2" in pdf  # the Chinese font embedded
    assert "验证码收不到" in mail["body"]
    [posted] = http_server.requests
    assert posted.json()["msgtype"] == "markdown"
    assert "全网短信业务异常" in posted.json()["markdown"]["title"]
    deadline = Deadline.objects.get(kind="incident-leadership-report")
    assert deadline.state == "met" and deadline.met_at == timezone.now()
    assert incident.submissions.filter(kind="leadership_report").exists()
    report.refresh_from_db()
    assert all(d.sent_at for d in report.deliveries.all())
    # delivered once, however often the task runs
    assert deliver_report_task.delay(report.pk).get() == 0
    assert len(smtp_server.messages) == 1 and len(http_server.requests) == 1
    # a sent report is not sent or edited again
    assert client.post(url(incident, report.pk, "send")).status_code == 409
    # and the incident page says what went to whom
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "领导组群" in page and "省公司主管领导及应急处理领导组" in page


def test_the_written_plan_meets_the_level1_plan_deadline(demo, incident, smtp_server):
    report = _approved(demo, incident, kind="hq_plan")
    services.report_send(report_id=report.pk, actor=demo["net_contact"])
    services.report_deliver(report_id=report.pk)
    assert Deadline.objects.get(kind="incident-hq-plan-level1").state == "met"
    assert Deadline.objects.get(kind="incident-hq-feedback").state == "pending"
    assert smtp_server.messages[0]["to"] == ["hq-marketing@hq.fenghuo.example"]


def test_a_failed_delivery_is_kept_and_shown(demo, incident, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    report = _approved(demo, incident)
    services.report_send(report_id=report.pk, actor=demo["net_contact"])
    assert services.report_deliver(report_id=report.pk) == 0
    delivery = Report.objects.get(pk=report.pk).deliveries.get()
    assert delivery.sent_at is None and delivery.error


def test_pages_prepare_approve_and_send(demo, incident, client, smtp_server):
    client.force_login(demo["net_contact"])
    response = client.post(f"/hq/incidents/{incident.pk}/reports/new/", {"kind": "hq_feedback"})
    report = Report.objects.get()
    assert response.url == f"/hq/reports/{report.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    form = {"title": report.title}
    for section in report.sections:
        form[f"section_{section['key']}"] = section["text"] or "已启动处理"
    client.post(response.url, {**form, "step": "approve"})
    report.refresh_from_db()
    assert report.state == "approved"
    client.post(response.url, {"step": "send"})
    report.refresh_from_db()
    assert report.state == "sent"
    assert Deadline.objects.get(kind="incident-hq-feedback").state == "met"
    assert client.get(f"/hq/reports/{report.pk}.pdf").content.startswith(b"%PDF")
