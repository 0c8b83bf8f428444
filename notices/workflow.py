"""Who may move a public notice, as django-fsm transitions (fields only, no I/O).

The owning department answers for what the operator tells the public: its interface person
or leader approves every text (``incidents.workflow.is_owner``). Drafting and editing are
open to whoever handles the incident for the public: the owner and the customer-service
department (which publishes the warnings) or the working group.
"""

from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from incidents.workflow import is_cs_department, is_owner

DRAFT, PUBLISHED, RESOLVED = "draft", "published", "resolved"


def notice_is_owner(notice, user) -> bool:
    return is_owner(notice.incident, user)


def notice_is_drafter(notice, user) -> bool:
    return is_owner(notice.incident, user) or is_cs_department(notice.incident, user)


# Who may, said to whoever may not (the 403 page), with ``%(department)s`` the owner.
FORBIDDEN = {
    "approve": _(
        "Only the interface person or leader of the owning department (%(department)s) "
        "approves what the public is told."
    ),
    "edit": _(
        "The owning department (%(department)s) or the customer-service department drafts "
        "the public notice."
    ),
    "resolve": _(
        "Only the interface person or leader of the owning department (%(department)s) "
        "resolves the public notice."
    ),
    "broadcast": _(
        "Only the interface person or leader of the owning department (%(department)s) "
        "sends the SMS broadcast."
    ),
}


class NoticeWorkflow:
    @transition(field="state", source=DRAFT, target=PUBLISHED, permission=notice_is_owner)
    def publish(self, at):
        """The first approved text makes the notice public."""
        self.published_at = self.updated_at = at

    @transition(field="state", source=PUBLISHED, target=PUBLISHED, permission=notice_is_owner)
    def approve_update(self, at):
        """An approved update replaces the public text."""
        self.updated_at = at

    @transition(field="state", source=[DRAFT, PUBLISHED], target=None, permission=notice_is_drafter)
    def edit(self):
        """A new or changed draft, awaiting approval."""

    @transition(field="state", source=PUBLISHED, target=RESOLVED, permission=notice_is_owner)
    def resolve(self, at):
        """The final text: the customers' service is back."""
        self.resolved_at = self.updated_at = at
