from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
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


def next_rule_set_version() -> int:
    return (ClassificationRuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1


class RuleSetVersionForm(forms.ModelForm):
    """Every save is a new version, and its note is what this editor says it changes: a field
    of its own that starts empty and must be filled, so a version never inherits the words of
    the one the page was opened on (which the page shows, read-only, as that version's note)."""

    change_note = forms.CharField(
        label=_("what the new version changes"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),  # the admin's text width
    )

    class Meta:
        model = ClassificationRuleSet
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opened = self.instance
        if opened.pk is None:
            help_text = gettext("Saving creates version v%(next)s.")
        else:
            help_text = gettext(
                "Saving creates version v%(next)s with the rules below; version v%(version)s "
                "stays as it is."
            )
        self.fields["change_note"].help_text = help_text % {
            "next": next_rule_set_version(),
            "version": opened.version,
        }


@admin.register(ClassificationRuleSet)
class ClassificationRuleSetAdmin(admin.ModelAdmin):
    """The warning-level matrix. Saving never edits a version in place: it creates the next
    version with the rules as submitted and the note typed for it, and new classifications use
    it; incidents keep the version that classified them. After a save the editor is taken to
    the new version, never back to the one the page was opened on."""

    form = RuleSetVersionForm
    list_display = ("version", "note", "created_at", "created_by", "rule_count", "incident_count")
    inlines = [ClassificationRuleInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("change_note",)
        return ("version", "note", "created_at", "created_by", "change_note")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("version", "note", "created_at", "created_by")

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
        obj.pk = None
        obj._state.adding = True
        obj.version = next_rule_set_version()
        obj.note = form.cleaned_data["change_note"]
        obj.created_at = timezone.now()
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

    def response_change(self, request, obj):
        """``obj`` is the new version by now; Django would send "save and continue editing"
        back to the URL the form was posted to, the old version's page, as if the edit were
        lost. Every button names the new version, and "continue editing" opens its page."""
        if IS_POPUP_VAR in request.POST:
            return super().response_change(request, obj)
        opts = self.opts
        new_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        opened = request.resolver_match.kwargs["object_id"]
        previous = ClassificationRuleSet.objects.filter(pk=opened).first()
        saved = format_html(
            gettext(
                "Saved as a new version, {new}. New classifications use it; {old} is unchanged."
            ),
            new=format_html('<a href="{}">{}</a>', new_url, obj),
            old=previous or "—",
        )
        preserved = {
            "preserved_filters": self.get_preserved_filters(request),
            "opts": opts,
        }
        if "_continue" in request.POST:
            self.message_user(
                request,
                format_html("{} {}", saved, gettext("You are now editing it.")),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(add_preserved_filters(preserved, new_url))
        self.message_user(request, saved, messages.SUCCESS)
        if "_addanother" in request.POST:
            add_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_add", current_app=self.admin_site.name
            )
            return HttpResponseRedirect(add_preserved_filters(preserved, add_url))
        return self.response_post_save_change(request, obj)


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

    list_display = (
        "number",
        "title",
        "level",
        "state",
        "owning_department",
        "assignee",
        "created_at",
    )
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
