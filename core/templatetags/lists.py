"""``{% list_tools "complaints" %}``: above a list, the person's saved views of it, saving the
current filters as a view, and exporting the filtered list (CSV, XLSX)."""

from django import template

from core.lists import list_get, query_normalise
from core.selectors import saved_view_list

register = template.Library()


@register.inclusion_tag("_list_tools.html", takes_context=True)
def list_tools(context, list_name: str) -> dict:
    request = context["request"]
    spec = list_get(list_name)
    if spec is None:
        raise template.TemplateSyntaxError(f"No list {list_name!r}")
    current = query_normalise(list_name, request.GET.urlencode())
    views = list(saved_view_list(user=request.user, list_name=list_name))
    exports = []
    if spec.export_url_name:
        # the export carries everything the page was given (a filter the saved view
        # does not keep, such as a manager's "everyone", still scopes the export)
        query = request.GET.copy()
        query.pop("cursor", None)
        suffix = f"?{query.urlencode()}" if query else ""
        exports = [(fmt.upper(), spec.export_url(fmt) + suffix) for fmt in ("csv", "xlsx")]
    return {
        "list_name": list_name,
        "list_url": spec.url,
        "views": [(view, view.query == current) for view in views],
        "current": current,
        "exports": exports,
        "csrf_token": context.get("csrf_token"),
    }
