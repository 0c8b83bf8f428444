"""What accountability shows on other apps' pages: the violations of an incident or a
complaint, and beside a deadline the penalty its breach carries."""

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .models import PenaltyRule, PricedPer
from .selectors import deadline_penalty_rules, penalty_rules_by_trigger, violation_list


def violations_panel(request, record) -> str:
    """Those the reader may open (a unit sees its own, the assessors all): the record's page
    is seen by more departments than each violation is."""
    violations = violation_list(user=request.user).filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )
    if not violations:
        return ""
    return render_to_string(
        "accountability/_panel.html", {"violations": violations}, request=request
    )


def price(rule: PenaltyRule) -> str:
    """The rule's yuan as the catalogue prices it: ``¥50``, ``¥8 an hour late``."""
    if rule.priced_per == PricedPer.HOUR:
        return _("¥%(yuan)s an hour late") % {"yuan": rule.yuan}
    if rule.priced_per == PricedPer.DAY:
        return _("¥%(yuan)s a day late") % {"yuan": rule.yuan}
    return f"¥{rule.yuan}"


def penalty_badges(rules: list[PenaltyRule], *, named: bool = False) -> SafeString:
    """One badge per rule a breach is assessed by: 考核 and its price, the rule and its
    clause on hover (``named``: the rule's name beside it too)."""
    badge = '<span class="badge penalty" title="{} ({})">{} {}</span>'
    return format_html_join(
        " ",
        badge + (" {}" if named else ""),
        (
            (rule, rule.citation, _("Penalty"), price(rule), *((rule,) if named else ()))
            for rule in rules
        ),
    )


def penalty_mark(deadline, memo: dict) -> str:
    """Beside a deadline: the penalty its breach carries (nothing when it carries none)."""
    if "penalty_rules_by_trigger" not in memo:
        memo["penalty_rules_by_trigger"] = penalty_rules_by_trigger()
    rules = deadline_penalty_rules(deadline, memo["penalty_rules_by_trigger"])
    return penalty_badges(rules) if rules else ""
