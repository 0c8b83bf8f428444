from django.contrib import admin
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyInline, ShownOnlyAdmin
from incidents.models import (
    ActionItem,
    BusinessLineOwner,
    ClassificationRule,
    ClassificationRuleSet,
    Cooperation,
    Incident,
    InvolvementDepartment,
    RecurrenceRule,
    RootCauseCategory,
    Submission,
    TimelineEvent,
)
from incidents.templatetags.incidents import timeline_change

RULE_FIELDS = ("factor", "problem_kind", "level", "operator", "threshold", "citation")


class ClassificationRuleInline(admin.TabularInline):
    model = ClassificationRule
    fields = RULE_FIELDS
    extra = 0


@admin.register(ClassificationRuleSet)
class ClassificationRuleSetAdmin(admin.ModelAdmin):
    """The warning-level matrix. Saving never edits a version in place: it creates the next
    version with the rules as submitted, and new classifications use it; incidents keep the
    version that classified them."""

    list_display = ("version", "note", "created_at", "created_by", "rule_count", "incident_count")
    readonly_fields = ("version", "created_at", "created_by")
    fields = ("version", "note", "created_at", "created_by")
    inlines = [ClassificationRuleInline]

    @admin.display(description=_("rules"))
    def rule_count(self, rule_set):
        return rule_set.rules.count()

    @admin.display(description=_("incidents classified"))
    def incident_count(self, rule_set):
        return rule_set.incidents.count()

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.incidents.exists()

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        latest = ClassificationRuleSet.objects.aggregate(v=Max("version"))["v"] or 0
        obj.pk = None
        obj._state.adding = True
        obj.version = latest + 1
        obj.created_by = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        # The new version gets every rule of the form (changed or not), never the old rows.
        for formset in formsets:
            created = []
            for rule_form in formset.forms:
                data = rule_form.cleaned_data
                if not data or data.get("DELETE"):
                    continue
                created.append(
                    ClassificationRule.objects.create(
                        rule_set=form.instance, **{field: data[field] for field in RULE_FIELDS}
                    )
                )
            # what the admin's change message reads after formset.save()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


@admin.register(BusinessLineOwner)
class BusinessLineOwnerAdmin(admin.ModelAdmin):
    list_display = ("business_line", "department")
    autocomplete_fields = ("department",)


@admin.register(InvolvementDepartment)
class InvolvementDepartmentAdmin(admin.ModelAdmin):
    list_display = ("involvement", "department")
    autocomplete_fields = ("department",)


class TimelineInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ("at", "actor", "kind", "change", "reason")
    readonly_fields = fields

    @admin.display(description=_("change"))
    def change(self, event) -> str:
        """What changed, by its labels (the row's codes are for the program)."""
        return timeline_change(event)


class SubmissionInline(ReadOnlyInline):
    model = Submission
    fields = ("kind", "version", "author", "created_at", "content")
    readonly_fields = fields


class CooperationInline(ReadOnlyInline):
    model = Cooperation
    fields = ("department", "reason", "assignment", "created_by", "created_at")
    readonly_fields = fields


class ActionItemInline(ReadOnlyInline):
    model = ActionItem
    fields = ("title", "owner_department", "owner", "due_at", "state", "verified_by")
    readonly_fields = fields


@admin.register(Incident)
class IncidentAdmin(ShownOnlyAdmin):
    """Incidents change only through the workflow; the admin shows them."""

    list_display = ("number", "title", "level", "state", "owning_department", "created_at")
    list_filter = ("state", "level", "business_line", "source", "owning_department")
    search_fields = ("number", "title")
    date_hierarchy = "created_at"
    inlines = [CooperationInline, SubmissionInline, ActionItemInline, TimelineInline]
    # the reasons for the level, in words, are on the incident's page
    exclude = ("level_reasons",)

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]


@admin.register(RootCauseCategory)
class RootCauseCategoryAdmin(admin.ModelAdmin):
    """The categories of root cause (data): deactivate rather than delete one in use."""

    list_display = ("code", "name_zh", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(RecurrenceRule)
class RecurrenceRuleAdmin(admin.ModelAdmin):
    list_display = ("days",)

    def has_add_permission(self, request):
        return not RecurrenceRule.objects.exists()


@admin.register(ActionItem)
class ActionItemAdmin(ShownOnlyAdmin):
    """Action items change through the improvement pages; the admin shows them."""

    list_display = ("title", "incident", "owner_department", "owner", "due_at", "state")
    list_filter = ("state", "owner_department")
    search_fields = ("title", "incident__number")
