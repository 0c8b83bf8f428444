"""Writes of the headquarters exchange: one function per use case, atomic, keyword-only.

In: a warning HQ sent (through the signed webhook or the mailbox) becomes an HQ-issued
incident once per HQ reference, its limits running from the time HQ sent it.
Out: a report is generated from the incident, edited, approved by a person, then sent; sending
records the incident's submission of the same kind, which meets its deadline, and the e-mails
and robot messages go out after the commit.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.transitions import transition_check
from incidents import improvement_services
from incidents.choices import Source
from incidents.models import Incident, Submission
from incidents.services import incident_create, incident_submit
from incidents.workflow import FORBIDDEN
from notifications import channels
from notifications.models import Channel, Delivery
from organisation.models import Department, DepartmentKind, Profile

from .choices import WARNING_LEVELS, ReportKind, ReportState
from .models import HqWarning, Report, ReportDelivery, ReportRecipient
from .reports import report_pdf, report_sections, report_text, report_title, section_keys

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=5)


# --- in: HQ's warnings ---------------------------------------------------------------------


def hq_intake_user() -> User:
    """The account HQ's warnings are recorded by: a member of the provincial CS centre, which
    receives them (seed 000 第七条(五)) and answers for passing them on."""
    user, created = User.objects.get_or_create(username=settings.HQ_INTAKE_USERNAME)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not hasattr(user, "profile"):
        active = Department.objects.filter(is_active=True).order_by("pk")
        centre = (
            active.filter(kind=DepartmentKind.CS_CENTRE).first()
            or active.filter(kind=DepartmentKind.CUSTOMER_SERVICE).first()
        )
        Profile.objects.create(user=user, full_name=_("HQ warning intake"), department=centre)
    return user


def hq_warning_receive(
    *,
    reference: str,
    level: str,
    title: str,
    sent_at: datetime,
    raw: bytes,
    intake: str,
    text: str = "",
    business_line: str = "",
    attachment_name: str = "",
    attachment_type: str = "",
    attachment: bytes = b"",
) -> tuple[HqWarning, bool]:
    """Record a warning HQ sent and raise its incident; ``(warning, True)`` the first time,
    ``(the existing warning, False)`` for a reference already received (a replay, a second
    channel carrying the same warning). The incident's limits run from ``sent_at``: the
    1-hour relay with a phone call (第八条(一)), publishing (第九条(二)) and the HQ feedback
    and plan (第十一条(二))."""
    reference = reference.strip()
    errors = {}
    if not reference:
        errors["reference"] = _("Give HQ's reference.")
    if level not in dict(WARNING_LEVELS):
        errors["level"] = _("Use one of: %s") % ", ".join(dict(WARNING_LEVELS))
    if not title.strip():
        errors["title"] = _("Give the warning's title.")
    if sent_at > timezone.now() + CLOCK_SKEW:
        errors["sent_at"] = _("HQ cannot have sent it in the future.")
    if errors:
        raise ValidationError(errors)
    existing = HqWarning.objects.filter(reference=reference).select_related("incident").first()
    if existing is not None:
        return existing, False
    sent_at = min(sent_at, timezone.now())
    try:
        with transaction.atomic():
            incident = incident_create(
                actor=hq_intake_user(),
                title=title[:200],
                description=text,
                business_line=business_line or settings.HQ_BUSINESS_LINE,
                source=Source.HQ,
                hq_level=level,
                occurred_at=sent_at,
                detected_at=sent_at,
                received_at=sent_at,
                relayed=False,
            )
            warning = HqWarning.objects.create(
                reference=reference,
                level=level,
                title=title[:200],
                text=text,
                sent_at=sent_at,
                intake=intake,
                raw=raw,
                attachment_name=attachment_name[:200],
                attachment_type=attachment_type[:100],
                attachment=attachment,
                incident=incident,
            )
    except IntegrityError:
        # the same reference committed meanwhile by another intake: that one stands
        existing = HqWarning.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing, False
    return warning, True


# --- out: the reports ----------------------------------------------------------------------

# The workflow action whose permission a report follows (the submission it is recorded as).
REPORT_ACTIONS = {
    ReportKind.LEADERSHIP_REPORT: "submit",
    ReportKind.HQ_FEEDBACK: "submit_to_hq",
    ReportKind.HQ_PLAN: "submit_to_hq",
    ReportKind.BULLETIN: "report_improvement",
}


def report_check(incident: Incident, kind: str, actor: User) -> None:
    """409 when the incident's state does not allow the report's submission, 403 when
    ``actor`` may not make it (the owning department's interface person or leader)."""
    action = REPORT_ACTIONS[ReportKind(kind)]
    transition_check(
        incident,
        action,
        actor,
        not_now=_("This report cannot be made while the incident is %(state)s."),
        forbidden=FORBIDDEN[action],
        unmet=_("This report is only for incidents issued by headquarters."),
        params={"department": incident.owning_department},
    )


def _lock_report(report_id: int) -> Report:
    try:
        return Report.objects.select_for_update().select_related("incident").get(pk=report_id)
    except Report.DoesNotExist:
        raise ValidationError({"report": _("No such report.")}) from None


@transaction.atomic
def report_prepare(*, incident_id: int, actor: User, kind: str) -> tuple[Report, bool]:
    """A draft generated from the incident (seed 000 第八条(三) order); the unsent report of
    this kind if there is one: ``(report, created)``."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Not a report that can be made here.")})
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    report_check(incident, kind, actor)
    unsent = (
        Report.objects.filter(incident=incident, kind=kind).exclude(state=ReportState.SENT).first()
    )
    if unsent is not None:
        return unsent, False
    report = Report.objects.create(
        incident=incident,
        kind=kind,
        title=report_title(incident, kind),
        sections=report_sections(incident, kind),
        prepared_by=actor,
    )
    return report, True


@transaction.atomic
def report_edit(*, report_id: int, actor: User, title: str, sections: dict[str, str]) -> Report:
    """Change the draft's wording; an approved report goes back to draft (approve again)."""
    report = _lock_report(report_id)
    report_check(report.incident, report.kind, actor)
    if report.state == ReportState.SENT:
        raise Conflict(_("This report has been sent; prepare a new one."), code="invalid_state")
    keys = section_keys(report.kind)
    unknown = set(sections) - set(keys)
    errors = {key: _("This report has no such section.") for key in unknown}
    if not title.strip():
        errors["title"] = _("Give the report a title.")
    if errors:
        raise ValidationError(errors)
    current = {section["key"]: section["text"] for section in report.sections}
    current.update(sections)
    report.title = title.strip()[:200]
    report.sections = [{"key": key, "text": current.get(key, "")} for key in keys]
    report.state = ReportState.DRAFT
    report.approved_by, report.approved_at = None, None
    report.save()
    return report


@transaction.atomic
def report_approve(*, report_id: int, actor: User) -> Report:
    report = _lock_report(report_id)
    report_check(report.incident, report.kind, actor)
    if report.state != ReportState.DRAFT:
        raise Conflict(_("Only a draft can be approved."), code="invalid_state")
    empty = [
        s["key"] for s in report.sections if s["key"] != "cause" and not str(s["text"]).strip()
    ]
    if empty:
        raise ValidationError({key: _("Fill this section in before approving.") for key in empty})
    report.state = ReportState.APPROVED
    report.approved_by, report.approved_at = actor, timezone.now()
    report.save(update_fields=["state", "approved_by", "approved_at"])
    return report


def _record_submission(report: Report, actor: User, names: list[str]) -> Submission:
    """The report as the incident's submission of its kind: its deadline is met by it."""
    texts = {section["key"]: section["text"] for section in report.sections}
    if report.kind == ReportKind.BULLETIN:
        return improvement_services.incident_report_bulletin(
            incident_id=report.incident_id,
            actor=actor,
            effect=texts.get("measures") or texts.get("handling", ""),
            reported_to="、".join(names),
            reported_at=timezone.now(),
        )
    return incident_submit(
        incident_id=report.incident_id,
        actor=actor,
        kind=report.kind,
        content={"text": report_text(report), "sent_to": names, "report": report.pk},
    )


@transaction.atomic
def report_send(*, report_id: int, actor: User) -> Report:
    """Send an approved report to the recipients of its kind (e-mail with the PDF, robots);
    the submission it stands for is recorded now and meets the deadline."""
    report = _lock_report(report_id)
    report_check(report.incident, report.kind, actor)
    if report.state != ReportState.APPROVED:
        raise Conflict(_("Approve the report before sending it."), code="invalid_state")
    recipients = list(
        ReportRecipient.objects.filter(kind=report.kind, is_active=True).select_related("endpoint")
    )
    rows = []
    for recipient in recipients:
        if recipient.email:
            rows.append(
                ReportDelivery(
                    report=report,
                    name=recipient.name,
                    channel=Channel.EMAIL,
                    address=recipient.email,
                )
            )
        if recipient.endpoint is not None and recipient.endpoint.is_active:
            rows.append(
                ReportDelivery(
                    report=report,
                    name=recipient.name,
                    channel=recipient.endpoint.channel,
                    address=recipient.endpoint.name,
                    endpoint=recipient.endpoint,
                )
            )
    if not rows:
        raise Conflict(
            _("No recipients are configured for this report; an administrator adds them."),
            code="no_recipients",
        )
    ReportDelivery.objects.bulk_create(rows)
    report.submission = _record_submission(report, actor, [r.name for r in recipients])
    report.state = ReportState.SENT
    report.sent_by, report.sent_at = actor, timezone.now()
    report.save(update_fields=["state", "sent_by", "sent_at", "submission"])
    from .tasks import deliver_report_task

    transaction.on_commit(lambda: deliver_report_task.delay(report.pk))
    return report


def report_deliver(*, report_id: int) -> int:
    """Send the report's e-mails and robot messages not yet sent (run twice: sent once);
    returns how many went. A failure is kept on its row and shown on the incident."""
    report = Report.objects.select_related("incident", "approved_by").get(pk=report_id)
    pending = list(report.deliveries.filter(sent_at__isnull=True))
    if not pending:
        return 0
    body = report_text(report)
    link = settings.SITE_URL.rstrip("/") + report.incident.get_absolute_url()
    attachment = report_pdf(report)
    filename = f"{report.incident.number}-{report.kind}.pdf"
    sent = 0
    connection = None
    for row in pending:
        with transaction.atomic():
            row = (
                ReportDelivery.objects.select_for_update(of=("self",))
                .select_related("endpoint")
                .get(pk=row.pk)
            )
            if row.sent_at is not None:
                continue
            try:
                if row.channel == Channel.EMAIL:
                    connection = connection or get_connection(fail_silently=False)
                    message = EmailMessage(
                        subject=report.title,
                        body=f"{body}\n\n{link}",
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[row.address],
                        connection=connection,
                    )
                    message.attach(filename, attachment, "application/pdf")
                    message.send(fail_silently=False)
                else:
                    endpoint = row.endpoint
                    if endpoint is None:
                        raise channels.DeliveryError("the robot has been removed")
                    channels.send(
                        Delivery(
                            channel=endpoint.channel,
                            endpoint=endpoint,
                            event="report.sent",
                            subject=report.title,
                            body=body,
                            payload={
                                "link": link,
                                "incident": report.incident.number,
                                "report": report.kind,
                                "text": body,
                            },
                            dedupe_key=f"report:{report.pk}:{row.pk}",
                        )
                    )
            except Exception as error:
                log.warning("Report %s to %s failed: %s", report.pk, row.name, error)
                row.error = str(error)[:1000]
                row.save(update_fields=["error"])
                continue
            row.sent_at, row.error = timezone.now(), ""
            row.save(update_fields=["sent_at", "error"])
            sent += 1
    return sent
