"""``{% deadline_marks deadline %}``: what downstream apps say about a deadline wherever one
is listed (``deadlines.marks.register_deadline_mark``), e.g. the penalty its breach carries."""

from django import template

from deadlines import marks

register = template.Library()
_MEMO = "deadline_marks_memo"


@register.simple_tag(takes_context=True)
def deadline_marks(context, deadline):
    memo = context.render_context.get(_MEMO)
    if memo is None:  # one per page rendered: the marks load their data once
        memo = context.render_context[_MEMO] = {}
    return marks.deadline_marks(deadline, memo)
