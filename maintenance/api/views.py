"""`/api/v1/planned-work/`: network-management systems submit planned work (an API key with
the ``planned_work`` scope); the customer-service department approves or rejects it."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api.fields import IsoDateTimeFilter
from core.api.filters import FilterSet
from maintenance import services
from maintenance.models import PlannedWork
from maintenance.selectors import planned_work_list
from organisation.api.permissions import ACT, KeyScoped
from organisation.models import ApiKeyScope

from . import serializers as s

SUBMIT_WORK = frozenset({ApiKeyScope.PLANNED_WORK})
OWN_WORK = frozenset({ApiKeyScope.PLANNED_WORK, ApiKeyScope.DEPARTMENT})
READ_WORK = frozenset({ApiKeyScope.PLANNED_WORK, ApiKeyScope.DEPARTMENT, ApiKeyScope.PROVINCE})


class PlannedWorkFilter(FilterSet):
    city = django_filters.CharFilter(field_name="cities__code", label="City (code)")
    window_from = IsoDateTimeFilter(
        field_name="ends_at", lookup_expr="gte", label="Window still open at or after"
    )
    window_to = IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lte", label="Window started at or before"
    )

    class Meta:
        model = PlannedWork
        fields = ["state", "city", "window_from", "window_to"]


class PlannedWorkViewSet(
    KeyScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Planned work 计划性工作 (割接): upgrades, optimisation and cable or box work that affect
    customers, approved and announced in writing beforehand (seed 003 第八条8)."""

    key_scopes = {
        "create": SUBMIT_WORK,
        "submit": OWN_WORK,
        "complete": OWN_WORK,
        "approve": ACT,
        "reject": ACT,
    }
    key_read_scopes = READ_WORK
    serializer_class = s.PlannedWorkSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = PlannedWork.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_class = PlannedWorkFilter

    def get_queryset(self):
        return (
            planned_work_list(user=self.request.user)
            .prefetch_related("cities", "announced_to")
            .distinct()
        )

    def _answer(self, pk, status_code=status.HTTP_200_OK) -> Response:
        work = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(work).data, status=status_code)

    def _act(self, pk, function, serializer_class=None) -> Response:
        work = get_object_or_404(self.get_queryset(), pk=pk)
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        function(work_id=work.pk, actor=self.request.user, **data)
        return self._answer(work.pk)

    @extend_schema(request=s.PlannedWorkCreateSerializer, responses={201: s.PlannedWorkSerializer})
    def create(self, request):
        """Register planned work; by default submitted for approval at once. Submitted once
        its window has started, it is a late announcement: the owning department is
        assessed."""
        serializer = s.PlannedWorkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        work = services.planned_work_create(actor=request.user, **serializer.validated_data)
        return self._answer(work.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.PlannedWorkSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for approval."""
        return self._act(pk, services.planned_work_submit)

    @extend_schema(request=s.DecisionSerializer, responses={200: s.PlannedWorkSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve it: it is announced in writing to the departments concerned."""
        return self._act(pk, services.planned_work_approve, s.DecisionSerializer)

    @extend_schema(request=s.RejectSerializer, responses={200: s.PlannedWorkSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject it, saying why."""
        return self._act(pk, services.planned_work_reject, s.RejectSerializer)

    @extend_schema(request=s.CompleteSerializer, responses={200: s.PlannedWorkSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Report the work done (after its window: it overran, and its complaints count)."""
        return self._act(pk, services.planned_work_complete, s.CompleteSerializer)
