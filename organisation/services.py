"""Writes to the organisation: system users and their API keys, role groups."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from .models import ApiKey, ApiKeyScope, Department, Profile, Role


def role_groups_ensure() -> dict[str, Group]:
    """Create the group of every :class:`Role` (idempotent) and return them by code."""
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@transaction.atomic
def api_key_create(
    *, name: str, department: Department | None = None, scopes: Iterable[str] = ()
) -> tuple[ApiKey, str]:
    """Create a key and the system user it acts as; return the key row and the raw key.

    The raw key is shown once: only its hash is stored. Without ``scopes`` the key gets
    ``department`` when it has a department, else ``intake`` (REST contract). Raises
    ``ValidationError`` for an unknown scope, or ``department`` without a department.
    """
    wanted = set(scopes) or set(ApiKeyScope.default_for(department))
    # in the order the contract lists them; unknown ones are left for validation to name
    ordered = [scope for scope in ApiKeyScope.values if scope in wanted]
    key = ApiKey(
        name=name,
        department=department,
        scopes=ordered + sorted(wanted - set(ordered)),
    )
    key.full_clean(exclude=["user", "id", "prefix", "hashed_key"])
    raw = ApiKey.objects.assign_key(key)
    user = User.objects.create_user(username=f"system-{key.prefix}", first_name=name[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=Role.EXTERNAL_SYSTEM)[0])
    Profile.objects.create(user=user, full_name=name, department=department)
    key.user = user
    key.save()
    return key, raw


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record that ``api_key`` was used; at most one write a minute per key."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
