"""When a complaint's deadline policies apply: fault tickets (network / support) get the
repair limit (seed 003); general complaints the 3-working-day answer, serious and batch ones
the temporary and permanent measures (seed 004). Registered with the deadline clock when the
app is ready."""

from django.utils.translation import gettext_lazy as _

from deadlines.choices import RecordType
from deadlines.conditions import register
from incidents.choices import BusinessLine

from .choices import Severity


def register_conditions() -> None:
    complaint = RecordType.COMPLAINT
    register(
        "fault_ticket",
        _("Fault ticket (network or support)"),
        complaint,
        lambda c: c.business_line in (BusinessLine.NETWORK, BusinessLine.BUSINESS_SUPPORT),
    )
    register(
        "general_complaint",
        _("General complaint"),
        complaint,
        lambda c: c.severity == Severity.GENERAL,
    )
    register(
        "serious_complaint",
        _("Serious or batch complaint"),
        complaint,
        lambda c: c.severity in (Severity.SERIOUS, Severity.BATCH),
    )
