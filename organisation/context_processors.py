from django.urls import reverse

from .navigation import SECTIONS
from .selectors import user_roles


def navigation(request):
    """The navigation sections the signed-in person may use, with the active entry marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    roles = user_roles(user)
    sections = []
    for section in SECTIONS:
        entries = []
        for entry in section.entries:
            if entry.staff_only and not user.is_staff:
                continue
            if entry.roles and not (entry.roles & roles):
                continue
            url = reverse(entry.url_name)
            entries.append({"label": entry.label, "url": url, "active": False})
        if entries:
            sections.append(
                {"audience": section.audience, "label": section.label, "entries": entries}
            )
    # the entry whose address is the longest prefix of this page is the current one
    matching = [
        entry
        for section in sections
        for entry in section["entries"]
        if request.path.startswith(entry["url"])
    ]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return {"nav_sections": sections}
