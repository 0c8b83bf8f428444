"""The violation list among the lists people work from (saved views, exports)."""

from core.lists import list_register


def register_lists() -> None:
    from .forms import ViolationFilterForm

    list_register(
        "violations",
        url_name="accountability:violations",
        params=list(ViolationFilterForm().fields),
        export_url_name="accountability:violation-export",
    )
