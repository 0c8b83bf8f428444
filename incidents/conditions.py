"""When an incident's deadline policies apply (seed 000 第十一条): HQ-issued events get the HQ
feedback and plan limits (8 h for level-1, 24 h for level-2 and sensitive); HQ-issued and
red / orange events the report to the executive and leadership group. Registered with the
deadline clock when the app is ready."""

from django.utils.translation import gettext_lazy as _

from deadlines.choices import RecordType
from deadlines.conditions import register

from .choices import HqLevel, Level, Source


def _hq(incident) -> bool:
    return incident.source == Source.HQ


def register_conditions() -> None:
    incident = RecordType.INCIDENT
    register("hq_issued", _("HQ-issued"), incident, _hq)
    register(
        "hq_level1", _("HQ level-1"), incident, lambda i: _hq(i) and i.hq_level == HqLevel.LEVEL1
    )
    register(
        "hq_level2_or_sensitive",
        _("HQ level-2 or sensitive"),
        incident,
        lambda i: _hq(i) and i.hq_level in (HqLevel.LEVEL2, HqLevel.SENSITIVE),
    )
    register(
        "hq_or_red_orange",
        _("HQ-issued, or red / orange"),
        incident,
        lambda i: _hq(i) or i.level in (Level.RED, Level.ORANGE),
    )
