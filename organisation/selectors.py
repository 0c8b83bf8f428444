"""Reads about people and departments, and the one scoping rule every list uses.

An external system acts as the system user of its API key, within the key's scopes
(:class:`~organisation.models.ApiKeyScope`); the functions here read those scopes, so that
every list, every workflow check and the API's permission agree on what a key may do."""

from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from .models import CUSTOMER_SERVICE_KINDS, OVERSIGHT_ROLES, ApiKey, ApiKeyScope, Department, Role

# The reverse side of ApiKey.user: cached on the user when the key authenticated the request.
_KEY_OF_USER = ApiKey._meta.get_field("user").remote_field


def _group_roles(user: User) -> frozenset[str]:
    cached: frozenset[str] | None = getattr(user, "_fenghuo_group_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMIN}
        setattr(user, "_fenghuo_group_roles", cached)  # noqa: B010 - a per-request cache
    return cached


def user_api_key(user: User | AnonymousUser) -> ApiKey | None:
    """The API key ``user`` is the system user of, or ``None`` for a person.

    Free when the key authenticated the request (the key row carries its user); otherwise
    the user's groups tell a system user (one query, cached for the request) before its key
    is read."""
    if not user.is_authenticated:
        return None
    if _KEY_OF_USER.is_cached(user):
        cached: ApiKey | None = _KEY_OF_USER.get_cached_value(user)  # type: ignore[assignment]
        return cached
    key = None
    if Role.EXTERNAL_SYSTEM in _group_roles(user):
        key = ApiKey.objects.select_related("department").filter(user=user).first()
    _KEY_OF_USER.set_cached_value(user, key)
    return key


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The role codes of ``user``, cached on the instance for the request.

    A key's system user holds what its scopes give, whatever groups it was put in: the
    external-system role, and with the ``department`` scope its department's interface
    person's."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_fenghuo_roles", None)
    if cached is None:
        key = user_api_key(user)
        if key is None:
            cached = _group_roles(user)
        else:
            cached = frozenset({Role.EXTERNAL_SYSTEM})
            if key.has_scope(ApiKeyScope.DEPARTMENT) and key.department_id is not None:
                cached |= {Role.INTERFACE_PERSON}
        setattr(user, "_fenghuo_roles", cached)  # noqa: B010 - a per-request cache
    return cached


def user_has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_department(user: User | AnonymousUser) -> Department | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.department if profile is not None else None


def in_customer_service(user: User | AnonymousUser) -> bool:
    """Whether ``user`` works in a customer-service department (the CS department or the
    CS centre)."""
    department = user_department(user)
    return department is not None and department.kind in CUSTOMER_SERVICE_KINDS


def _key_department(key: ApiKey) -> Department | None:
    """The department a key reads and acts for: only with the ``department`` scope."""
    return key.department if key.has_scope(ApiKeyScope.DEPARTMENT) else None


def user_sees_everything(user: User | AnonymousUser) -> bool:
    """Managers (working group, leadership group, assessment committee, admins) and people of
    a department flagged *sees all records* see every department's records; so do keys with
    the ``province`` scope (read-only: the API refuses their writes), and ``department`` keys
    of such a department."""
    key = user_api_key(user)
    if key is not None:
        if key.has_scope(ApiKeyScope.PROVINCE):
            return True
        department = _key_department(key)
        return department is not None and department.sees_all_records
    if user_has_role(user, *OVERSIGHT_ROLES):
        return True
    department = user_department(user)
    return department is not None and department.sees_all_records


def scope_to_user(
    queryset: QuerySet,
    user: User | AnonymousUser,
    *department_paths: str,
    submitted_by: str | None = None,
):
    """Narrow ``queryset`` to the records ``user`` may see.

    ``department_paths`` name the lookups that tie a record to departments (for an incident:
    ``"owning_department"``, ``"cooperating_departments"``); a record is visible to a
    department's people when any of them points at their department. Managers see all.

    An API key sees by its scopes: ``province`` everything; ``department`` what its
    department's people see; ``intake`` (and ``department``) what it submitted, the records
    whose ``submitted_by`` lookup (e.g. ``"created_by"``) names its system user. Without
    ``submitted_by`` an intake key sees none of the records.
    """
    branches = scope_branches(queryset.model, user, *department_paths, submitted_by=submitted_by)
    if branches is None:
        return queryset
    if not branches:
        return queryset.none()
    return queryset.filter(reduce(or_, branches))


def scope_branches(
    model, user: User | AnonymousUser, *department_paths: str, submitted_by: str | None = None
) -> list[Q] | None:
    """The conditions of :func:`scope_to_user`, one per way a record reaches ``user``: a
    record is visible when any holds. ``None`` when ``user`` sees every record.

    A long list read newest first walks each branch on its own index and merges the walks
    (:func:`core.keyset.keyset_page`), where the planner would otherwise walk the whole
    table and test the ``OR`` row by row."""
    if user_sees_everything(user):
        return None
    key = user_api_key(user)
    department = user_department(user) if key is None else _key_department(key)
    branches = []
    if department is not None:
        for path in department_paths:
            branches += _walkable(model, path, department)
    if (
        key is not None
        and submitted_by is not None
        and key.has_scope(ApiKeyScope.INTAKE, ApiKeyScope.DEPARTMENT)
    ):
        branches.append(Q(**{submitted_by: user}))
    return branches


# A branch through a forward key to a few rows (an incident's reporter among a department's
# people) is read one related row at a time, each on the (key, time) index; more than this
# many stay one branch.
WALKED_ONE_BY_ONE = 50


def _walkable(model, path: str, department: Department) -> list[Q]:
    """The branches of :func:`scope_branches` for ``path``: :func:`_points_at`, or for a
    forward key reached through a longer path (an incident's reporter, among the
    department's people) one branch per related row, so that each is read newest first on
    its own index rather than the whole list walked for the few rows of all of them."""
    first, _sep, rest = path.partition("__")
    field = model._meta.get_field(first)
    if rest and field.concrete and field.many_to_one:
        related = list(
            field.related_model._default_manager.filter(**{rest: department}).values_list(
                "pk", flat=True
            )[: WALKED_ONE_BY_ONE + 1]
        )
        if len(related) <= WALKED_ONE_BY_ONE:
            return [Q(**{field.attname: pk}) for pk in related]
    return [_points_at(model, path, department)]


def _points_at(model, path: str, department: Department) -> Q:
    """``path`` (a lookup from ``model``) leads to ``department``, as a condition on the
    record's own columns: a direct foreign key as is, a longer path as a semi-join
    (``IN (SELECT …)``) from its first step. No join multiplies the record's rows, so the
    scoped list needs no DISTINCT and keeps the order an index gives it."""
    first, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{path: department})
    field = model._meta.get_field(first)
    related = field.related_model
    if field.concrete and (field.many_to_one or field.one_to_one):
        # a forward key: its value among the related rows that lead to the department
        return Q(**{f"{first}__in": related._default_manager.filter(**{rest: department})})
    if (field.one_to_many or field.one_to_one) and not field.concrete:
        # a reverse key: the records named by the related rows that lead to the department
        return Q(
            pk__in=related._default_manager.filter(**{rest: department}).values(field.field.attname)
        )
    return Q(pk__in=model._default_manager.filter(**{path: department}).values("pk"))


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
