"""What notices show on the incident page: the public notice (drafted from the explanation
script, edited, approved by the owning department, updated, resolved) and its SMS
broadcasts with their counts. Both regions follow the incident's live topic."""

from django.template.loader import render_to_string

from incidents.choices import SubmissionKind
from incidents.models import Incident
from incidents.selectors import incident_submissions_latest

from .forms import BroadcastForm, NoticeResolveForm, NoticeTextForm
from .models import NoticeState, PublicNotice, VersionState
from .selectors import broadcast_counts
from .services import notice_current
from .workflow import notice_is_drafter, notice_is_owner


def notice_panel(request, record) -> str:
    if not isinstance(record, Incident):
        return ""
    notice = PublicNotice.objects.filter(incident=record).first()
    probe = notice or PublicNotice(incident=record)
    may_draft = notice_is_drafter(probe, request.user)
    if notice is None and not may_draft:
        return ""
    context = {
        "incident": record,
        "notice": notice,
        "may_draft": may_draft,
        "may_approve": notice_is_owner(probe, request.user),
        "has_explanation": SubmissionKind.EXPLANATION in incident_submissions_latest(record),
    }
    if notice is not None:
        versions = list(
            notice.versions.select_related("drafted_by__profile", "approved_by__profile")
        )
        pending = next((v for v in reversed(versions) if v.state == VersionState.DRAFT), None)
        current = notice_current(notice)
        base = pending or current
        initial = (
            {
                "title_zh": base.title_zh,
                "title_en": base.title_en,
                "text_zh": base.text_zh,
                "text_en": base.text_en,
                "next_update_at": base.next_update_at,
            }
            if base
            else None
        )
        broadcasts = [
            (broadcast, broadcast_counts(broadcast))
            for broadcast in record.broadcasts.order_by("-created_at", "-id")
        ]
        context |= {
            "versions": versions,
            "pending": pending,
            "current": current,
            "open": notice.state != NoticeState.RESOLVED,
            "edit_form": NoticeTextForm(prefix="notice", initial=initial),
            "resolve_form": NoticeResolveForm(prefix="resolve"),
            "broadcast_form": BroadcastForm(prefix="broadcast"),
            "broadcasts": broadcasts,
        }
    return render_to_string("notices/_panel.html", context, request=request)
