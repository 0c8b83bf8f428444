"""Reads of complaints: lists scoped to the reader, the customer's history, incidents that
look like a complaint, and who may see a customer's full phone number and account."""

import re

from django.db.models import Q, QuerySet

from core.assignment import assigned_q
from core.keyset import Key
from core.search import number_matches, search
from deadlines.models import overdue_records
from incidents.selectors import in_period, incident_linkable
from organisation.models import CUSTOMER_SERVICE_KINDS, Role
from organisation.selectors import scope_branches, scope_to_user, user_department, user_has_role

from .choices import ComplaintState
from .models import ESCALATED, Complaint, PersonalDataRead
from .similarity import ALIKE, similarity

# The lists' total order, newest first, which cursors page through.
COMPLAINT_ORDER = (Key("created_at", descending=True), Key("id", descending=True))
VISIBLE_THROUGH = ("department", "cooperations__department", "first_ask_department")
# Who took a complaint: for a system, the system user of the key that posted it.
SUBMITTED_BY = "first_ask_owner"


def complaint_scope(user, queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """The complaints ``user`` may see: a department what it handles, took or was convened
    on; managers and CS all; a system by its key's scopes (an intake key what it posted)."""
    queryset = Complaint.objects.all() if queryset is None else queryset
    return scope_to_user(queryset, user, *VISIBLE_THROUGH, submitted_by=SUBMITTED_BY)


def complaint_branches(user) -> list[Q]:
    """The ways a complaint reaches ``user`` (:func:`organisation.selectors.scope_branches`),
    for a list to read each on its own index; none when ``user`` sees them all."""
    return scope_branches(Complaint, user, *VISIBLE_THROUGH, submitted_by=SUBMITTED_BY) or []


def complaint_list(*, user) -> QuerySet[Complaint]:
    # people by prefetch: joined too, their profiles make a join the planner takes longer
    # to order than the page takes to read
    queryset = Complaint.objects.select_related("city", "department", "incident").prefetch_related(
        "first_ask_owner__profile", "handler__profile"
    )
    return complaint_scope(user, queryset).order_by("-created_at", "-id")


def complaints_filter(
    complaints: QuerySet[Complaint], data: dict, user=None
) -> QuerySet[Complaint]:
    """Apply the list's filters (the cleaned data of `ComplaintFilterForm`; ``user`` is "me"
    of the assignee filter, whose person is the handler). A complaint belongs to its handling
    department, else to its first-ask department."""
    if data.get("assignee"):
        complaints = complaints.filter(assigned_q("handler", data["assignee"], user))
    if data.get("state") == "open":
        complaints = complaints.exclude(state=ComplaintState.ARCHIVED)
    elif data.get("state"):
        complaints = complaints.filter(state=data["state"])
    if data.get("business_line"):
        complaints = complaints.filter(business_line=data["business_line"])
    if data.get("department"):
        department = data["department"]
        complaints = complaints.filter(
            Q(department=department) | Q(department__isnull=True, first_ask_department=department)
        )
    if data.get("city"):
        complaints = complaints.filter(city=data["city"])
    if data.get("severity"):
        complaints = complaints.filter(severity=data["severity"])
    if data.get("escalated"):
        complaints = complaints.filter(ESCALATED)
    if data.get("overdue"):
        complaints = complaints.filter(pk__in=overdue_records(Complaint))
    field = "archived_at" if data.get("event") == "archived" else "created_at"
    complaints = in_period(complaints, field, data.get("since"), data.get("until"))
    if data.get("q"):
        complaints = complaints_search(complaints, data["q"])
    return complaints


# what a phone number may be written with besides its digits
PHONE_SEPARATORS = re.compile(r"[\s\-]")
PHONE_NUMBER = re.compile(r"^\+?[0-9]{5,20}$")


def complaints_search(complaints: QuerySet[Complaint], q: str) -> QuerySet[Complaint]:
    """The complaints ``q`` finds: by number (case-insensitive, or its beginning), by the
    customer's account or phone number given in full, by a part of the customer's name, the
    summary or the details (two characters or more).

    A phone number or account matches only whole: their digits are masked for some readers
    (:func:`sees_personal_data`), who must not learn them by searching piece by piece. For
    the same reason a query of digits alone is not looked for inside the text."""
    q = q.strip()
    if not q:
        return complaints
    exact = number_matches(q) | Q(customer_account=q)
    phone = PHONE_SEPARATORS.sub("", q)
    if PHONE_NUMBER.match(phone):
        exact |= Q(customer_phone__in={q, phone})
    digits_only = phone.lstrip("+").isdigit()
    text = () if digits_only else ("customer_name", "summary", "description")
    return search(complaints, q, text=text, index="complaint_search_text", exact=exact)


def customer_history(
    *, user, phone: str, exclude: int | None = None, limit: int = 10
) -> QuerySet[Complaint]:
    """The customer's earlier complaints by phone number that ``user`` may see, newest
    first."""
    history = complaint_scope(
        user, Complaint.objects.filter(customer_phone=phone.strip()).select_related("city")
    )
    if exclude:
        history = history.exclude(pk=exclude)
    return history.order_by("-created_at")[:limit]


def incidents_like(
    *, user, text: str, business_line: str = "", city_id: int | None = None, limit: int = 5
):
    """Open incidents ``user`` may link complaints to that look like this complaint: text
    similarity, helped by the same business line and city. Returns (incident, score) pairs,
    best first."""
    if len(text.strip()) < 2:
        return []
    open_incidents = (
        incident_linkable(user=user).select_related("owning_department").prefetch_related("cities")
    )
    scored = []
    for incident in open_incidents.order_by("-created_at")[:200]:
        score = similarity(text, f"{incident.title} {incident.description}")
        if business_line and incident.business_line == business_line:
            score += 10
        if city_id and any(city.pk == city_id for city in incident.cities.all()):
            score += 10
        if score >= ALIKE:
            scored.append((incident, min(score, 100.0)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def sees_personal_data(user, complaint: Complaint) -> bool:
    """Full phone and account for the hotline and customer service, the handling department
    (and departments convened on it), and the system that posted it; masked for the rest."""
    if complaint.first_ask_owner_id == user.pk:
        return True
    department = user_department(user)
    if department is not None and (
        department.kind in CUSTOMER_SERVICE_KINDS or department.pk == complaint.department_id
    ):
        return True
    if user_has_role(user, Role.HOTLINE_AGENT):
        return True
    if department is None:
        return False
    return complaint.cooperations.filter(department=department).exists()


def mask(value: str) -> str:
    """138****5678: keep the first three and last four characters."""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def personal_data_log(*, user, complaints, where: str) -> None:
    """Record that ``user`` read the full personal data of ``complaints``."""
    PersonalDataRead.objects.bulk_create(
        PersonalDataRead(user=user, complaint=complaint, where=where) for complaint in complaints
    )


def complaints_assigned(user) -> QuerySet[Complaint]:
    """The complaints ``user`` handles that are not archived yet."""
    return complaint_scope(user).filter(handler=user.pk).exclude(state=ComplaintState.ARCHIVED)


def seen_in_full(user, complaints) -> set[int]:
    """The ids among ``complaints`` whose personal data ``user`` sees in full, as
    :func:`sees_personal_data` decides one at a time, in one query for them all."""
    ids = [complaint.pk for complaint in complaints]
    department = user_department(user)
    if (department is not None and department.kind in CUSTOMER_SERVICE_KINDS) or user_has_role(
        user, Role.HOTLINE_AGENT
    ):
        return set(ids)
    condition = Q(first_ask_owner=user)
    if department is not None:
        condition |= Q(department=department) | Q(cooperations__department=department)
    return set(Complaint.objects.filter(condition, pk__in=ids).values_list("pk", flat=True))
