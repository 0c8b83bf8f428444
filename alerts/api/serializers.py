from rest_framework import serializers

from alerts.models import Alert, AlertRecipient
from notifications.models import Delivery


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["channel", "state", "attempts", "sent_at", "last_error"]
        read_only_fields = fields


class RecipientSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phoned_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    first_alert = serializers.IntegerField(source="first_alert.sequence", read_only=True)
    deliveries = serializers.SerializerMethodField()

    class Meta:
        model = AlertRecipient
        fields = [
            "id",
            "user",
            "department",
            "audience",
            "first_alert",
            "acknowledged_at",
            "acknowledged_via",
            "phoned_at",
            "phoned_by",
            "deliveries",
        ]
        read_only_fields = fields

    def get_deliveries(self, recipient) -> list[dict]:
        by_user = self.context.get("deliveries", {})
        return DeliverySerializer(by_user.get(recipient.user_id, []), many=True).data


class AlertSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    number = serializers.CharField(source="incident.number", read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "incident",
            "number",
            "sequence",
            "level",
            "is_upgrade",
            "content",
            "published_by",
            "published_at",
        ]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    recipients = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "recipients"]
        read_only_fields = fields

    def get_recipients(self, alert) -> list[dict]:
        return RecipientSerializer(self.context["recipients"], many=True, context=self.context).data


class PhoneSerializer(serializers.Serializer):
    user = serializers.CharField(help_text="Username of the recipient who was phoned.")
