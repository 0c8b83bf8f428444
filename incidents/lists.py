"""The incident list and my deadlines among the lists people work from (saved views,
exports)."""

from core.lists import list_register


def register_lists() -> None:
    from .forms import ActionItemFilterForm, DeadlineFilterForm, IncidentFilterForm

    list_register(
        "incidents",
        url_name="incidents:list",
        params=list(IncidentFilterForm().fields),
        export_url_name="incidents:export",
    )
    list_register(
        "deadlines",
        url_name="incidents:deadlines",
        params=[*DeadlineFilterForm().fields, "scope"],
    )
    list_register(
        "action-items",
        url_name="incidents:rectification",
        params=list(ActionItemFilterForm().fields),
    )
