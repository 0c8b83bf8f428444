"""`/api/v1/alerts/`: published alerts with per-recipient delivery and acknowledgment."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from alerts import services
from alerts.models import AckChannel, Alert, AlertRecipient
from alerts.selectors import alert_list, alert_recipients
from notifications.models import Delivery
from organisation.api.permissions import OVERSEE, KeyScoped

from .filters import AlertFilter
from .serializers import AlertDetailSerializer, AlertSerializer, PhoneSerializer


class AlertViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Alerts 预警信息: each publication of an incident's warning, and who it reached."""

    key_read_scopes = OVERSEE

    serializer_class = AlertSerializer
    queryset = Alert.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_class = AlertFilter

    def get_queryset(self):
        return alert_list(user=self.request.user)

    def _detail(self, alert: Alert) -> Response:
        recipients = list(alert_recipients(alert))
        deliveries: dict[int, list[Delivery]] = {}
        for delivery in Delivery.objects.filter(
            notification__dedupe_key=f"alert:{alert.pk}"
        ).select_related("notification"):
            deliveries.setdefault(delivery.notification.recipient_id, []).append(delivery)
        context = {"recipients": recipients, "deliveries": deliveries, "request": self.request}
        return Response(AlertDetailSerializer(alert, context=context).data)

    @extend_schema(responses={200: AlertDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(get_object_or_404(self.get_queryset(), pk=pk))

    @extend_schema(request=None, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The signed-in recipient acknowledges (idempotent)."""
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        recipient = AlertRecipient.objects.filter(
            incident=alert.incident, user=request.user
        ).first()
        if recipient is None:
            raise ValidationError({"user": "You are not a recipient of this alert."})
        services.alert_acknowledge(
            recipient_id=recipient.pk, actor=request.user, via=AckChannel.API
        )
        return self._detail(alert)

    @extend_schema(request=PhoneSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def phone(self, request, pk=None):
        """Record that the publisher phoned a recipient."""
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = PhoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recipient = AlertRecipient.objects.filter(
            incident=alert.incident, user__username=serializer.validated_data["user"]
        ).first()
        if recipient is None:
            raise ValidationError({"user": "Not a recipient of this alert."})
        services.alert_record_phone(recipient_id=recipient.pk, actor=request.user)
        return self._detail(alert)
