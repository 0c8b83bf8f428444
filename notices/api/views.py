"""`/api/v1/notices/` and `/api/v1/broadcasts/`: thin adapters over notices.services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from incidents.selectors import incident_scope
from notices import services
from notices.models import Broadcast, PublicNotice
from notices.phones import phones_from_csv
from notices.selectors import broadcast_list, notice_list
from organisation.api.permissions import ACT, KeyScoped

from . import serializers as s


def _incident(user, incident_id: int):
    """The caller's incident the request names, or a validation error naming the field."""
    incident = incident_scope(user).filter(pk=incident_id).first()
    if incident is None:
        raise ValidationError({"incident": _("No such incident.")})
    return incident


class NoticeViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Public notices 对外公告 of incidents: drafted from the explanation script, approved by
    the owning department before the status page shows them."""

    serializer_class = s.NoticeSerializer
    queryset = PublicNotice.objects.none()
    lookup_value_regex = "[0-9]+"
    key_scopes = {"create": ACT, "edit": ACT, "approve": ACT, "resolve": ACT}

    def get_queryset(self):
        return notice_list(user=self.request.user)

    def _answer(self, notice_id: int, code=status.HTTP_200_OK) -> Response:
        notice = get_object_or_404(self.get_queryset(), pk=notice_id)
        return Response(s.NoticeSerializer(notice).data, status=code)

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.NoticeSerializer})
    def create(self, request):
        """Draft the incident's notice from its explanation script (the existing one if any)."""
        data = s.NoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = _incident(request.user, data.validated_data["incident"])
        notice = services.notice_draft(incident_id=incident.pk, actor=request.user)
        return self._answer(notice.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.NoticeTextSerializer, responses={200: s.NoticeSerializer})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Write the text awaiting approval (the first notice, or an update)."""
        notice = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.NoticeTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notice_edit(notice_id=notice.pk, actor=request.user, **data.validated_data)
        return self._answer(notice.pk)

    @extend_schema(request=None, responses={200: s.NoticeSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The owning department approves the waiting text: the status page shows it."""
        notice = get_object_or_404(self.get_queryset(), pk=pk)
        services.notice_approve(notice_id=notice.pk, actor=request.user)
        return self._answer(notice.pk)

    @extend_schema(request=s.NoticeResolveSerializer, responses={200: s.NoticeSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The owning department's final text: resolved."""
        notice = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.NoticeResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notice_resolve(notice_id=notice.pk, actor=request.user, **data.validated_data)
        return self._answer(notice.pk)


class BroadcastViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """SMS broadcasts 短信群发 of an approved notice text to a list of customers, throttled,
    opted-out numbers never sent to; counts by state."""

    serializer_class = s.BroadcastSerializer
    queryset = Broadcast.objects.none()
    lookup_value_regex = "[0-9]+"
    key_scopes = {"create": ACT, "upload": ACT, "start": ACT}

    def get_queryset(self):
        return broadcast_list(user=self.request.user)

    def _answer(self, broadcast_id: int, code=status.HTTP_200_OK) -> Response:
        broadcast = get_object_or_404(self.get_queryset(), pk=broadcast_id)
        return Response(s.BroadcastSerializer(broadcast).data, status=code)

    @extend_schema(request=s.BroadcastCreateSerializer, responses={201: s.BroadcastSerializer})
    def create(self, request):
        """Store a customer list (posted as JSON)."""
        data = s.BroadcastCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = _incident(request.user, data.validated_data["incident"])
        broadcast = services.broadcast_create(
            incident_id=incident.pk,
            actor=request.user,
            phones=data.validated_data["phones"],
            rate=data.validated_data.get("rate"),
        )
        return self._answer(broadcast.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.BroadcastUploadSerializer, responses={201: s.BroadcastSerializer})
    @action(detail=False, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def upload(self, request):
        """Store a customer list uploaded as a CSV file."""
        data = s.BroadcastUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = _incident(request.user, data.validated_data["incident"])
        broadcast = services.broadcast_create(
            incident_id=incident.pk,
            actor=request.user,
            phones=phones_from_csv(data.validated_data["file"].read()),
            rate=data.validated_data.get("rate"),
        )
        return self._answer(broadcast.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.BroadcastSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Send the approved notice text to the list (the owning department)."""
        broadcast = get_object_or_404(self.get_queryset(), pk=pk)
        services.broadcast_start(broadcast_id=broadcast.pk, actor=request.user)
        return self._answer(broadcast.pk)
