import base64
import binascii

from rest_framework import serializers

from core.api.fields import DateTimeField
from incidents.choices import BusinessLine

from ..choices import WARNING_LEVELS, ReportKind, ReportState
from ..models import HqWarning, Report, ReportDelivery
from ..reports import section_label

MAX_ATTACHMENT = 10 * 1024 * 1024


class WarningInSerializer(serializers.Serializer):
    """A warning as HQ posts it."""

    reference = serializers.CharField(max_length=100, help_text="HQ's reference of the warning.")
    level = serializers.ChoiceField(choices=WARNING_LEVELS)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    sent_at = DateTimeField(help_text="When HQ sent it (ISO 8601 with offset).")
    business_line = serializers.ChoiceField(
        choices=BusinessLine.choices, required=False, allow_blank=True, default=""
    )
    attachment_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    attachment_type = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )
    attachment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The attachment's bytes, base64-encoded.",
    )

    def validate_attachment(self, value: str) -> bytes:
        if not value:
            return b""
        try:
            content = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid base64.") from None
        if len(content) > MAX_ATTACHMENT:
            raise serializers.ValidationError("The attachment is larger than 10 MB.")
        return content


class WarningSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    incident_number = serializers.CharField(source="incident.number", read_only=True)

    class Meta:
        model = HqWarning
        fields = [
            "id",
            "reference",
            "level",
            "title",
            "sent_at",
            "received_at",
            "intake",
            "incident",
            "incident_number",
        ]


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.SerializerMethodField()
    text = serializers.CharField(allow_blank=True)

    def get_label(self, section: dict) -> str:
        return section_label(section["key"])


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportDelivery
        fields = ["name", "channel", "address", "sent_at", "error"]


class ReportSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    state = serializers.ChoiceField(choices=ReportState.choices, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "incident",
            "kind",
            "state",
            "title",
            "sections",
            "prepared_at",
            "approved_at",
            "sent_at",
            "deliveries",
        ]


class ReportPrepareSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)


class ReportEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20000),
        help_text="Section key → text; sections left out keep their text.",
    )
