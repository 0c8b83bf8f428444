"""`/api/v1/violations/`: accountability records, with their procedure as actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accountability import services
from accountability.models import Violation
from accountability.selectors import violation_list
from organisation.api.permissions import OVERSEE, KeyScoped

from . import serializers as s


class ViolationViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Violations 违规: found by the platform or recorded by hand; penalties once confirmed."""

    key_read_scopes = OVERSEE

    serializer_class = s.ViolationSerializer
    queryset = Violation.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["state", "automatic"]

    def get_queryset(self):
        return (
            violation_list(user=self.request.user)
            .select_related("assessment")
            .prefetch_related("shares__person", "shares__department")
        )

    def _act(self, pk, function, serializer_class=None):
        violation = get_object_or_404(self.get_queryset(), pk=pk)
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        function(violation_id=violation.pk, actor=self.request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=violation.pk)).data)

    @extend_schema(request=None, responses={200: s.ViolationSerializer})
    @action(detail=True, methods=["post"])
    def request_inspection(self, request, pk=None):
        """Marketing asks the unit for its self-inspection (5 working days)."""
        return self._act(pk, services.violation_request_inspection)

    @extend_schema(request=s.ReportSerializer, responses={200: s.ViolationSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """The unit's self-inspection report."""
        return self._act(pk, services.violation_report, s.ReportSerializer)

    @extend_schema(request=s.ConfirmSerializer, responses={200: s.ViolationSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(pk, services.violation_confirm, s.ConfirmSerializer)

    @extend_schema(request=s.DismissSerializer, responses={200: s.ViolationSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._act(pk, services.violation_dismiss, s.DismissSerializer)
