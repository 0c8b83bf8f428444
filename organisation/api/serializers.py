from rest_framework import serializers

from core.api.fields import CodeField
from organisation.models import City, Department


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "code", "name_zh", "name_en"]


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "kind",
            "parent",
            "city",
            "manages_business",
            "is_active",
        ]


class CityCodesField(CodeField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=City.objects.all(), **kwargs)


class DepartmentCodeField(CodeField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="code", queryset=Department.objects.filter(is_active=True), **kwargs
        )
