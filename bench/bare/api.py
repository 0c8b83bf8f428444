from rest_framework import mixins, serializers, viewsets

from organisation.models import City

from .models import BareComplaint


class BareComplaintSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())

    class Meta:
        model = BareComplaint
        fields = [
            "id",
            "external_id",
            "channel",
            "customer_name",
            "customer_phone",
            "customer_account",
            "city",
            "address",
            "business_line",
            "summary",
            "description",
            "created_at",
        ]


class BareComplaintViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = BareComplaint.objects.all()
    serializer_class = BareComplaintSerializer
