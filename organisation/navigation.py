"""The navigation of the UI shell, grouped by audience; each later feature adds its entries."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import OVERSIGHT_ROLES, Role


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = frozenset()  # empty: every signed-in person
    staff_only: bool = False


@dataclass(frozen=True)
class NavSection:
    audience: str
    label: str | Promise
    entries: tuple[NavEntry, ...]


SECTIONS: tuple[NavSection, ...] = (
    NavSection(
        "hotline",
        _("Hotline"),
        (
            NavEntry(
                _("Console"),
                "complaints:console",
                roles=frozenset({Role.HOTLINE_AGENT, Role.WORKING_GROUP, Role.ADMIN}),
            ),
            NavEntry(
                _("Possible mass complaints"),
                "complaints:mass",
                roles=frozenset({Role.HOTLINE_AGENT, Role.WORKING_GROUP, Role.ADMIN}),
            ),
        ),
    ),
    NavSection(
        "department",
        _("Department"),
        (
            NavEntry(_("My work"), "my-work"),
            NavEntry(_("Alert inbox"), "alerts:inbox"),
            NavEntry(_("Complaints"), "complaints:list"),
            NavEntry(_("Incidents"), "incidents:list"),
            NavEntry(_("Planned work"), "maintenance:list"),
            NavEntry(_("My deadlines"), "incidents:deadlines"),
            NavEntry(_("My rectification items"), "incidents:rectification"),
            NavEntry(_("Directory"), "directory"),
        ),
    ),
    NavSection(
        "management",
        _("Management"),
        (
            NavEntry(_("Dashboard"), "dashboards:dashboard"),
            NavEntry(_("Alerts"), "alerts:list"),
            NavEntry(_("Violations"), "accountability:violations"),
            NavEntry(_("Monthly assessment"), "accountability:assessment-current"),
            NavEntry(_("Rankings"), "accountability:rankings"),
            NavEntry(
                _("Supervision samples"),
                "accountability:supervision",
                roles=frozenset({Role.WORKING_GROUP, Role.ADMIN}),
            ),
            NavEntry(_("API documentation"), "api-docs", roles=frozenset(OVERSIGHT_ROLES)),
        ),
    ),
    NavSection(
        "admin",
        _("Administration"),
        (NavEntry(_("Admin site"), "admin:index", staff_only=True),),
    ),
)
