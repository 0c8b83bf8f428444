from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.shortcuts import render

from .models import Department, DepartmentKind, Profile, Role
from .selectors import user_department, user_roles


def _role_labels(user) -> list[str]:
    return [Role(code).label for code in sorted(user_roles(user)) if code in Role]


def permission_denied(request, exception=None):
    """The 403 page of the site's pages: that the person's role does not allow it, who may
    (the refusal's message, where the view or the workflow names them), and the roles and
    department the person holds. The API answers its own 403s in JSON."""
    user = request.user
    return render(
        request,
        "403.html",
        {
            "reason": str(exception or ""),
            "role_labels": _role_labels(user) if user.is_authenticated else [],
            "department": user_department(user) if user.is_authenticated else None,
        },
        status=403,
    )


@login_required
def home(request):
    department = user_department(request.user)
    contacts = []
    if department is not None:
        contacts = (
            Profile.objects.filter(
                department=department,
                user__is_active=True,
                user__groups__name__in=[Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER],
            )
            .select_related("user")
            .distinct()
        )
    role_labels = _role_labels(request.user)
    return render(
        request,
        "organisation/home.html",
        {
            "department": department,
            "profile": getattr(request.user, "profile", None),
            "role_labels": role_labels,
            "contacts": contacts,
        },
    )


@login_required
def directory(request):
    """Every department's interface persons and leaders with their phones (seed 000 第九条:
    interface persons keep their phones on 24 h)."""
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    people = (
        Profile.objects.filter(
            user__is_active=True,
            user__groups__name__in=[Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER],
        )
        .select_related("user")
        .prefetch_related("user__groups")
        .distinct()
        .order_by("user__username")
    )
    departments = Department.objects.filter(is_active=True).select_related("city")
    if kind in DepartmentKind.values:
        departments = departments.filter(kind=kind)
    if query:
        # by the contacts the directory lists, not by every member: a search by someone's
        # mobile number must not tell which department they belong to
        listed = people.filter(Q(full_name__icontains=query) | Q(mobile__icontains=query))
        departments = departments.filter(
            Q(code__icontains=query)
            | Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(members__in=listed)
        ).distinct()
    departments = departments.prefetch_related(
        Prefetch("members", queryset=people, to_attr="contacts")
    )
    rows = []
    for department in departments:
        interface, leaders = [], []
        for profile in department.contacts:
            names = {group.name for group in profile.user.groups.all()}
            if Role.INTERFACE_PERSON in names:
                interface.append(profile)
            if Role.DEPARTMENT_LEADER in names:
                leaders.append(profile)
        rows.append({"department": department, "interface": interface, "leaders": leaders})
    context = {"rows": rows, "query": query, "kind": kind, "kinds": DepartmentKind.choices}
    if request.htmx:
        return render(request, "organisation/_directory_rows.html", context)
    return render(request, "organisation/directory.html", context)
