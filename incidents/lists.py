"""The incident list and my deadlines among the lists people work from (saved views,
exports)."""

from core.lists import list_register


def register_lists() -> None:
    from .forms import DeadlineFilterForm, IncidentFilterForm

    list_register(
        "incidents",
        url_name="incidents:list",
        params=IncidentFilterForm.base_fields,
        export_url_name="incidents:export",
    )
    list_register(
        "deadlines", url_name="incidents:deadlines", params=[*DeadlineFilterForm.base_fields, "scope"]
    )
