from django.contrib.auth.models import User
from rest_framework import serializers

from accountability.models import ShareRole, ViolationState
from core.api.fields import CodeField


class ShareSerializer(serializers.Serializer):
    person = serializers.CharField(source="person.username", read_only=True, allow_null=True)
    department = serializers.CharField(source="department.code", read_only=True)
    role = serializers.ChoiceField(choices=ShareRole.choices, read_only=True)
    yuan = serializers.IntegerField(read_only=True)
    points = serializers.IntegerField(read_only=True)
    bonus_months = serializers.IntegerField(read_only=True)
    circulated_criticism = serializers.BooleanField(read_only=True)


class ViolationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name_zh", read_only=True)
    evidence = serializers.CharField(source="evidence_key", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    person = serializers.CharField(source="person.username", read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=ViolationState.choices, read_only=True)
    automatic = serializers.BooleanField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    determination = serializers.CharField(read_only=True)
    determined_at = serializers.DateTimeField(read_only=True, allow_null=True)
    period = serializers.CharField(source="assessment.period", read_only=True, allow_null=True)
    shares = ShareSerializer(many=True, read_only=True)


class ReportSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=20000)
    responsible_person = CodeField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    disputed = serializers.BooleanField(default=False)
    evidence = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")


class ConfirmSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    customer_left = serializers.BooleanField(default=False)
    bonus_months = serializers.IntegerField(
        min_value=0, max_value=12, required=False, allow_null=True, default=None
    )


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
