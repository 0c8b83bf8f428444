"""The complaint list among the lists people work from (saved views, exports)."""

from core.lists import list_register


def register_lists() -> None:
    from .forms import ComplaintFilterForm

    list_register(
        "complaints",
        url_name="complaints:list",
        params=list(ComplaintFilterForm().fields),
        export_url_name="complaints:export",
    )
