"""Who a record is assigned to, as the lists filter it (no domain: the field is named)."""

from django.db import models


def assigned_q(field: str, value: str, user) -> models.Q:
    """Records whose person ``field`` is ``value``: ``me`` (``user``), ``none`` (nobody
    yet), a person's id or (the API) username."""
    if value == "me":
        pk = user.pk if user is not None and user.is_authenticated else None
        return models.Q(**{field: pk}) if pk else models.Q(pk__in=[])
    if value == "none":
        return models.Q(**{f"{field}__isnull": True})
    if value.isdigit():
        return models.Q(**{f"{field}_id": int(value)})
    return models.Q(**{f"{field}__username": value})
