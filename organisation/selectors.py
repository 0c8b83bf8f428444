"""Reads about people and departments, and the one scoping rule every list uses."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from .models import OVERSIGHT_ROLES, Department, Role


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The role codes of ``user``, cached on the instance for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_fenghuo_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMIN}
        setattr(user, "_fenghuo_roles", cached)  # noqa: B010 - a per-request cache
    return cached


def user_has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_department(user: User | AnonymousUser) -> Department | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.department if profile is not None else None


def user_sees_everything(user: User | AnonymousUser) -> bool:
    """Managers (working group, leadership group, assessment committee, admins) and people of
    a department flagged *sees all records* see every department's records."""
    if user_has_role(user, *OVERSIGHT_ROLES):
        return True
    department = user_department(user)
    return department is not None and department.sees_all_records


def scope_to_user(queryset: QuerySet, user: User | AnonymousUser, *department_paths: str):
    """Narrow ``queryset`` to the records ``user`` may see.

    ``department_paths`` name the lookups that tie a record to departments (for an incident:
    ``"owning_department"``, ``"cooperating_departments"``); a record is visible to a
    department's people when any of them points at their department. Managers see all.
    """
    if user_sees_everything(user):
        return queryset
    department = user_department(user)
    if department is None or not department_paths:
        return queryset.none()
    condition = Q()
    for path in department_paths:
        condition |= Q(**{path: department})
    return queryset.filter(condition).distinct()


def department_people(department: Department, *roles: str) -> QuerySet[User]:
    """The active people of ``department`` who hold any of ``roles`` (e.g. its interface
    persons), each once, with their profiles (messages read their language)."""
    return (
        User.objects.filter(is_active=True, profile__department=department, groups__name__in=roles)
        .select_related("profile")
        .distinct()
        .order_by("id")
    )


def group_head(role: str) -> User | None:
    """The head of the leadership group or of the working group."""
    return User.objects.filter(is_active=True, profile__heads=role).order_by("id").first()
