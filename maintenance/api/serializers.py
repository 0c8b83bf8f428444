from rest_framework import serializers

from core.api.fields import CodeField, DateTimeField
from incidents.choices import BusinessLine
from organisation.api.serializers import DepartmentCodeField
from organisation.models import City

from ..models import LateReason, PlannedWorkKind, PlannedWorkState


class PlannedWorkSerializer(serializers.Serializer):
    """Planned work 计划性工作 as the REST contract names it."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=PlannedWorkKind.choices, read_only=True)
    description = serializers.CharField(read_only=True)
    cities = serializers.SerializerMethodField(help_text="City codes.")
    districts = serializers.CharField(read_only=True)
    business_lines = serializers.ListField(
        child=serializers.ChoiceField(choices=BusinessLine.choices), read_only=True
    )
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    customer_impact = serializers.CharField(read_only=True)
    customers_affected = serializers.IntegerField(read_only=True)
    owning_department = serializers.CharField(source="owning_department.code", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    state = serializers.ChoiceField(choices=PlannedWorkState.choices, read_only=True)
    late = serializers.ChoiceField(
        choices=LateReason.choices,
        read_only=True,
        help_text="Empty when announced in time; else why it was not.",
    )
    overran = serializers.BooleanField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    announced_to = serializers.SerializerMethodField(
        help_text="The codes of the departments it was announced to in writing."
    )
    created_at = serializers.DateTimeField(read_only=True)

    def get_cities(self, work) -> list[str]:
        return [city.code for city in work.cities.all()]

    def get_announced_to(self, work) -> list[str]:
        return [department.code for department in work.announced_to.all()]


class PlannedWorkCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PlannedWorkKind.choices)
    description = serializers.CharField(
        max_length=20000, required=False, default="", allow_blank=True
    )
    cities = serializers.ListField(
        child=CodeField(slug_field="code", queryset=City.objects.all()),
        min_length=1,
        max_length=50,
        help_text="City codes, e.g. CC.",
    )
    districts = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    business_lines = serializers.ListField(
        child=serializers.ChoiceField(choices=BusinessLine.choices), min_length=1, max_length=20
    )
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    customer_impact = serializers.CharField(max_length=20000)
    customers_affected = serializers.IntegerField(
        min_value=0, max_value=100_000_000, required=False, default=0
    )
    owning_department = DepartmentCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="By default the key's (or the person's) department.",
    )
    submit = serializers.BooleanField(
        default=True, help_text="Submit for approval at once (the default) or keep a draft."
    )

    def validate(self, attrs):
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError(
                {"ends_at": ["The window must end after it starts."]}, code="invalid"
            )
        return attrs


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class CompleteSerializer(serializers.Serializer):
    at = DateTimeField(required=False, allow_null=True, default=None)
