from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CodeField, DateField, DateTimeField
from core.limits import LARGEST_COUNT
from deadlines.serializers import DeadlineSerializer
from incidents.choices import (
    BusinessLine,
    CancelReason,
    HandlingMode,
    HqLevel,
    Level,
    Publicity,
    Source,
)
from incidents.models import ActionItem, Cooperation, Incident, Submission, TimelineEvent
from organisation.api.serializers import CityCodesField, DepartmentCodeField


class LevelReasonSerializer(serializers.Serializer):
    factor = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    value = serializers.JSONField(help_text="The incident's value of the factor.")
    threshold = serializers.JSONField(help_text="The threshold the value met.")
    operator = serializers.CharField()


class CooperationSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Cooperation
        fields = ["department", "reason", "assignment", "created_at"]


class IncidentSerializer(serializers.ModelSerializer):
    """An incident as the REST contract names it."""

    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    owning_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cooperating_departments = CooperationSerializer(
        source="cooperations", many=True, read_only=True
    )
    level_reasons = serializers.SerializerMethodField()
    rule_set_version = serializers.IntegerField(
        source="rule_set.version", read_only=True, default=None, allow_null=True
    )
    complaints_today = serializers.IntegerField(read_only=True, default=0)
    escalated_today = serializers.IntegerField(read_only=True, default=0)
    escalated_this_week = serializers.IntegerField(read_only=True, default=0)
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The person of the owning department working on it.",
    )
    deadlines = DeadlineSerializer(many=True, read_only=True)
    root_cause_category = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    recurrence_of = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    cancel_reason = serializers.ChoiceField(
        choices=CancelReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty unless cancelled.",
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "description",
            "business_line",
            "source",
            "hq_level",
            "cities",
            "customers_affected",
            "publicity",
            "legal_involved",
            "occurred_at",
            "detected_at",
            "owning_department",
            "cooperating_departments",
            "handling_mode",
            "assignee",
            "state",
            "level",
            "level_reasons",
            "rule_set_version",
            "complaints_today",
            "escalated_today",
            "escalated_this_week",
            "deadlines",
            "cancel_reason",
            "merged_into",
            "root_cause_category",
            "recurrence_of",
            "closed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LevelReasonSerializer(many=True))
    def get_level_reasons(self, incident):
        return incident.level_reasons


class IncidentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    business_line = serializers.ChoiceField(choices=BusinessLine.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    hq_level = serializers.ChoiceField(
        choices=HqLevel.choices,
        required=False,
        default="",
        help_text="Required with source `hq` (the level headquarters gave); empty otherwise.",
    )
    cities = CityCodesField(many=True, required=False, default=list)
    customers_affected = serializers.IntegerField(min_value=0, max_value=LARGEST_COUNT, default=0)
    publicity = serializers.ChoiceField(choices=Publicity.choices, default=Publicity.NONE)
    legal_involved = serializers.BooleanField(default=False)
    occurred_at = DateTimeField(help_text="Not in the future (five minutes' clock skew allowed).")
    detected_at = DateTimeField(
        required=False,
        help_text="Not in the future (five minutes' clock skew allowed), nor before `occurred_at`.",
    )
    owning_department = DepartmentCodeField(required=False)
    out_of_scope = serializers.ChoiceField(
        choices=[
            (CancelReason.NATURAL_DISASTER.value, CancelReason.NATURAL_DISASTER.label),
            (CancelReason.SOCIAL_EVENT.value, CancelReason.SOCIAL_EVENT.label),
        ],
        required=False,
        default="",
        help_text="Mark a natural disaster or social event: recorded, then cancelled at once "
        "(seed 000 第三条: such events follow other plans).",
    )


class IncidentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    cities = CityCodesField(many=True, required=False)
    customers_affected = serializers.IntegerField(
        min_value=0, max_value=LARGEST_COUNT, required=False
    )
    publicity = serializers.ChoiceField(choices=Publicity.choices, required=False)
    hq_level = serializers.ChoiceField(choices=HqLevel.choices, required=False)
    legal_involved = serializers.BooleanField(required=False)


class ClassifySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    reason = serializers.CharField(max_length=2000)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class RootCauseSerializer(serializers.Serializer):
    root_cause = serializers.CharField(max_length=20000)
    handling_plan = serializers.CharField(
        max_length=20000, help_text=_("The complaint-handling plan.")
    )
    category = serializers.CharField(
        max_length=40,
        required=False,
        help_text="Code of a root-cause category (with the business line and the cities, it "
        "tells whether the incident recurs).",
    )


class SummaryReportSerializer(serializers.Serializer):
    """事件总结报告; the meeting fields are required for major (HQ-issued, red, orange) events."""

    cause = serializers.CharField(max_length=20000)
    process = serializers.CharField(max_length=20000)
    result = serializers.CharField(max_length=20000)
    lessons = serializers.CharField(max_length=20000)
    meeting_date = DateField(required=False, allow_null=True, default=None)
    attendees = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    conclusions = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )


class BulletinSerializer(serializers.Serializer):
    """What the special bulletin adds to the incident's own facts, timeline and measures."""

    effect = serializers.CharField(max_length=20000)
    reported_to = serializers.CharField(max_length=500)
    reported_at = DateTimeField(
        help_text="When the measures were reported to the leadership; not in the future."
    )
    hq_recipients = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class ActionItemSerializer(serializers.ModelSerializer):
    incident = serializers.SlugRelatedField(slug_field="number", read_only=True)
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "incident",
            "title",
            "description",
            "owner_department",
            "owner",
            "due_at",
            "state",
            "evidence",
            "done_at",
            "verified_by",
            "verified_at",
            "waiver_reason",
            "created_at",
        ]
        read_only_fields = fields


class ActionItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_department = DepartmentCodeField()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    due_at = DateTimeField(help_text="In the future.")


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=20000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ResolveSerializer(serializers.Serializer):
    """The three clears 三清."""

    restored_at = DateTimeField(
        help_text="When service was restored: not in the future, nor before the incident occurred."
    )
    cause_and_result = serializers.CharField(max_length=20000)
    delay_reason = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when a deadline of the incident was missed.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices)
    merged_into = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ChangeOwnerSerializer(serializers.Serializer):
    department = DepartmentCodeField()
    reason = serializers.CharField(max_length=2000)


class AssignSerializer(serializers.Serializer):
    """Name the person who works on a record (an incident, a complaint, an action item)."""

    assignee = CodeField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text="A person of the department answering for the record (username).",
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when someone else is assigned already.",
    )


class AssignmentSerializer(serializers.Serializer):
    department = DepartmentCodeField()
    assignment = serializers.CharField(max_length=5000)


class EscalateSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=[
            (HandlingMode.LINE.value, HandlingMode.LINE.label),
            (HandlingMode.PLANE.value, HandlingMode.PLANE.label),
        ]
    )
    assignments = AssignmentSerializer(many=True, required=False, default=list)


class TimelineEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "at",
            "actor",
            "kind",
            "action",
            "from_state",
            "to_state",
            "payload",
            "reason",
        ]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "kind", "version", "content", "author", "created_at"]
        read_only_fields = fields
