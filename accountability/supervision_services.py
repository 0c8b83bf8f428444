"""The working group's supervision of closed cases (seed 001 五(一)): random samples of
closed incidents and archived complaints, each reviewed; a finding tells the department."""

import random
import secrets
from datetime import date, datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import ComplaintState
from complaints.models import Complaint
from core.errors import Conflict
from incidents.choices import State
from incidents.models import Incident
from notifications.services import notify, translated
from organisation.models import Department, Role
from organisation.selectors import department_people, user_has_role

from .models import SampleReview, SupervisionSample

SAMPLE_MAX = 200


def _supervisor(actor: User) -> None:
    if not user_has_role(actor, Role.WORKING_GROUP, Role.ADMIN):
        raise PermissionDenied(_("Only the working group draws and reviews samples."))


@transaction.atomic
def sample_draw(
    *, actor: User, since: date, until: date, size: int, seed: str = ""
) -> SupervisionSample:
    """Draw ``size`` cases at random among the incidents closed and the complaints archived in
    ``since``..``until`` (seed 001 五(一)2). The seed is kept, so anyone can redo the draw."""
    _supervisor(actor)
    errors = {}
    if until < since:
        errors["until"] = _("The end comes before the start.")
    if not 1 <= size <= SAMPLE_MAX:
        errors["size"] = _("Between 1 and %(max)s cases.") % {"max": SAMPLE_MAX}
    if errors:
        raise ValidationError(errors)
    seed = seed.strip() or secrets.token_hex(8)
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(until, datetime.max.time(), tzinfo=tz)
    population = [
        ("incident", pk)
        for pk in Incident.objects.filter(state=State.CLOSED, closed_at__range=(start, end))
        .order_by("pk")
        .values_list("pk", flat=True)
    ] + [
        ("complaint", pk)
        for pk in Complaint.objects.filter(
            state=ComplaintState.ARCHIVED, updated_at__range=(start, end)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    if not population:
        raise ValidationError({"since": _("No closed case in this period.")})
    drawn = random.Random(seed).sample(population, min(size, len(population)))
    sample = SupervisionSample.objects.create(
        drawn_by=actor, since=since, until=until, size=len(drawn), seed=seed
    )
    SampleReview.objects.bulk_create(
        SampleReview(sample=sample, **{f"{kind}_id": pk}) for kind, pk in sorted(drawn)
    )
    return sample


@transaction.atomic
def sample_review(
    *, review_id: int, actor: User, compliant: bool, findings: str = ""
) -> SampleReview:
    """Record what the review of one drawn case found; a case not handled as required tells
    its department, which is asked to put it right (seed 001 五(一)3)."""
    _supervisor(actor)
    review = SampleReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise ValidationError({"review": _("No such review.")})
    if review.reviewed_at is not None:
        raise Conflict(_("This case has been reviewed already."), code="already_reviewed")
    if not compliant and not findings.strip():
        raise ValidationError({"findings": _("Say what was not handled as required.")})
    review.compliant, review.findings = compliant, findings.strip()
    review.reviewed_by, review.reviewed_at = actor, timezone.now()
    review.save()
    if not compliant:
        _tell_finding(review)
    return review


def _tell_finding(review: SampleReview) -> None:
    record: Incident | Complaint
    department: Department | None
    if review.incident is not None:
        record, department = review.incident, review.incident.owning_department
    elif review.complaint is not None:
        record = review.complaint
        department = record.department or record.first_ask_department
    else:
        return
    if department is None:
        return
    notify(
        recipients=department_people(department, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER),
        kind="improvement.sample_finding",
        dedupe_key=f"sample-review:{review.pk}",
        subject=translated(
            gettext_lazy("Supervision finding on %(number)s"), {"number": record.number}
        ),
        body=review.findings,
        link=record.get_absolute_url(),
    )
