"""Reads of core's own rows that pages show: a person's saved views of the lists."""

from django.db.models import QuerySet

from .models import SavedView


def saved_view_list(*, user, list_name: str | None = None) -> QuerySet[SavedView]:
    """``user``'s own saved views (of one list), by name; nobody sees another's."""
    views = SavedView.objects.filter(user=user)
    if list_name is not None:
        views = views.filter(list_name=list_name)
    return views.order_by("list_name", "name", "id")
