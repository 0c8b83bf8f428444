from rest_framework import viewsets

from organisation.models import City, Department

from .permissions import KeyScoped
from .serializers import CitySerializer, DepartmentSerializer


class CityViewSet(KeyScoped, viewsets.ReadOnlyModelViewSet):
    """The cities 地市 of the province (the warning matrix counts them)."""

    queryset = City.objects.order_by("code")
    serializer_class = CitySerializer
    filterset_fields = ["code"]


class DepartmentViewSet(KeyScoped, viewsets.ReadOnlyModelViewSet):
    """Departments and branches; incidents and complaints name them by `code`."""

    queryset = Department.objects.select_related("parent", "city").order_by("code")
    serializer_class = DepartmentSerializer
    filterset_fields = ["code", "kind", "manages_business", "is_active"]
