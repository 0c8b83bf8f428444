"""Reads of public notices and broadcasts. The public reads (the status page, its feed) see
approved versions only; the staff reads follow the incidents' scoping rule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from incidents.selectors import incident_scope

from .models import (
    Broadcast,
    BroadcastRecipient,
    NoticeState,
    NoticeVersion,
    PublicNotice,
    RecipientState,
    VersionState,
)


@dataclass(frozen=True)
class PublicView:
    """What the public may know of a notice: approved texts only, nothing internal."""

    notice: PublicNotice
    current: NoticeVersion
    history: list[NoticeVersion]

    @property
    def resolved(self) -> bool:
        return self.notice.state == NoticeState.RESOLVED


def _approved() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=NoticeVersion.objects.filter(state=VersionState.APPROVED).order_by("-sequence"),
        to_attr="approved_versions",
    )


def _public(queryset: QuerySet[PublicNotice]) -> list[PublicView]:
    views = []
    for notice in queryset.prefetch_related("cities", _approved()):
        approved: list[NoticeVersion] = getattr(notice, "approved_versions", [])
        if approved:
            views.append(PublicView(notice, approved[0], approved))
    return views


def notice_public_list(*, now: datetime | None = None) -> tuple[list[PublicView], list[PublicView]]:
    """(current notices, most recently updated first; those resolved within
    ``STATUS_RESOLVED_DAYS``, most recent first). Never a draft."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.STATUS_RESOLVED_DAYS)
    current = PublicNotice.objects.filter(state=NoticeState.PUBLISHED).order_by(
        "-updated_at", "-id"
    )
    resolved = PublicNotice.objects.filter(
        state=NoticeState.RESOLVED, resolved_at__gte=since
    ).order_by("-resolved_at", "-id")
    return _public(current), _public(resolved)


def notice_public_get(*, public_id) -> PublicView | None:
    """A notice the public may read (published or resolved, any age), or None."""
    found = _public(
        PublicNotice.objects.filter(
            public_id=public_id, state__in=[NoticeState.PUBLISHED, NoticeState.RESOLVED]
        )
    )
    return found[0] if found else None


def notice_list(*, user) -> QuerySet[PublicNotice]:
    """The notices of the incidents ``user`` may see."""
    return (
        PublicNotice.objects.filter(incident__in=incident_scope(user))
        .select_related("incident__owning_department")
        .prefetch_related("cities", "versions")
        .order_by("-created_at", "-id")
    )


def broadcast_list(*, user) -> QuerySet[Broadcast]:
    """The broadcasts of the incidents ``user`` may see, with their counts."""
    return (
        Broadcast.objects.filter(incident__in=incident_scope(user))
        .select_related("incident")
        .annotate(**_count_annotations())
        .order_by("-created_at", "-id")
    )


COUNTED = (
    RecipientState.QUEUED,
    RecipientState.SENDING,
    RecipientState.SENT,
    RecipientState.FAILED,
    RecipientState.OPTED_OUT,
)


def _count_annotations() -> dict:
    return {
        f"count_{state}": Count("recipients", filter=Q(recipients__state=state))
        for state in COUNTED
    } | {"count_total": Count("recipients")}


def broadcast_counts(broadcast: Broadcast) -> dict[str, int]:
    """Messages by state (queued counts those being sent too), and the total."""
    counts: dict[str, int] = dict.fromkeys(COUNTED, 0)
    for row in (
        BroadcastRecipient.objects.filter(broadcast=broadcast)
        .values("state")
        .annotate(n=Count("id"))
    ):
        counts[row["state"]] = row["n"]
    return {
        "queued": counts[RecipientState.QUEUED] + counts[RecipientState.SENDING],
        "sent": counts[RecipientState.SENT],
        "failed": counts[RecipientState.FAILED],
        "opted_out": counts[RecipientState.OPTED_OUT],
        "total": sum(counts.values()),
    }
