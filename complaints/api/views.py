"""`/api/v1/complaints/`: intake for external systems (idempotent, bulk), the first-ask
workflow as actions, linking to incidents."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from complaints import services
from complaints.models import Complaint
from complaints.selectors import (
    COMPLAINT_ORDER,
    complaint_branches,
    complaint_list,
    complaint_scope,
    personal_data_log,
)
from core.api.pagination import KeysetPagination
from core.api.plain import plain_validation
from core.idempotency import IDEMPOTENCY, idempotent
from deadlines.models import Deadline
from incidents.api.serializers import AssignSerializer, ReasonSerializer
from organisation.api.permissions import SUBMIT, KeyScoped
from organisation.models import Role
from organisation.selectors import in_customer_service, user_has_role

from . import serializers as s
from .filters import ComplaintFilter

INTAKE_ROLES = (Role.EXTERNAL_SYSTEM, Role.HOTLINE_AGENT, Role.WORKING_GROUP, Role.ADMIN)


class CanTakeComplaints(permissions.BasePermission):
    def has_permission(self, request, view):
        if view.action not in ("create", "bulk"):
            return True
        return in_customer_service(request.user) or user_has_role(request.user, *INTAKE_ROLES)


class ComplaintViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Complaints 投诉 / tickets 工单."""

    key_scopes = {"create": SUBMIT, "bulk": SUBMIT}
    serializer_class = s.ComplaintSerializer
    permission_classes = [permissions.IsAuthenticated, CanTakeComplaints]
    queryset = Complaint.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_class = ComplaintFilter
    pagination_class = KeysetPagination
    keyset_keys = COMPLAINT_ORDER

    def keyset_branches(self):
        return complaint_branches(self.request.user)

    def get_queryset(self):
        return complaint_list(user=self.request.user).prefetch_related(
            Prefetch(
                "deadlines", queryset=Deadline.objects.select_related("responsible_department")
            )
        )

    def _log_full_reads(self, serializer_context, where):
        full = [pk for pk, seen in serializer_context.get("full_reads", {}).items() if seen]
        if full:
            personal_data_log(
                user=self.request.user,
                complaints=Complaint.objects.filter(pk__in=full),
                where=where,
            )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._log_full_reads(self._context, "api.list")
        return response

    def get_serializer_context(self):
        self._context = super().get_serializer_context()
        return self._context

    def _render(self, pk, status_code=status.HTTP_200_OK) -> Response:
        complaint = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = self.get_serializer(complaint)
        data = serializer.data
        self._log_full_reads(serializer.context, "api.detail")
        return Response(data, status=status_code)

    def retrieve(self, request, pk=None):
        return self._render(pk)

    def _data(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _visible(self, pk) -> Complaint:
        return get_object_or_404(complaint_scope(self.request.user), pk=pk)

    def _api_key(self):
        from organisation.models import ApiKey

        return self.request.auth if isinstance(self.request.auth, ApiKey) else None

    @extend_schema(
        request=s.ComplaintCreateSerializer,
        responses={201: s.ComplaintSerializer, 200: s.ComplaintSerializer},
        parameters=[IDEMPOTENCY],
    )
    # intake numbers its complaints before its own transaction opens, so that the day's
    # counter is not held locked while the rest is written (services._number)
    @transaction.non_atomic_requests
    def create(self, request):
        """Take a complaint. `external_id` is unique per API key; `Idempotency-Key` makes a
        retry return the first answer."""

        def perform():
            data = self._data(s.ComplaintCreateSerializer)
            complaint = services.complaint_create(
                actor=request.user, api_key=self._api_key(), **data
            )
            # the instance just written is the answer: no need to read it back
            return status.HTTP_201_CREATED, self.get_serializer(complaint).data

        return idempotent(request, "complaints.create", perform)

    @extend_schema(
        request=s.BulkCreateSerializer,
        responses={207: s.BulkResultSerializer(many=True)},
        parameters=[IDEMPOTENCY],
        filters=False,
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    @transaction.non_atomic_requests  # as create
    def bulk(self, request):
        """Up to 500 complaints; one result per item (201 or its errors). A bad item leaves no
        row and does not stop the others."""

        def perform():
            payload = self._data(s.BulkCreateSerializer)
            # one serializer validates every item (its fields are built once)
            check = s.ComplaintCreateSerializer(context=self.get_serializer_context())
            items, results = [], {}
            for index, raw in enumerate(payload["items"]):
                plain = plain_validation(check, raw)  # the usual item, at a fraction the cost
                if plain is not None:
                    items.append((index, plain))
                    continue
                try:
                    items.append((index, check.run_validation(raw)))
                except DRFValidationError as error:
                    results[index] = {
                        "index": index,
                        "status": 400,
                        "errors": _flat_errors(error.detail),
                    }
            created = services.complaint_bulk_create(
                actor=request.user,
                items=[dict(data) for _index, data in items],
                api_key=self._api_key(),
            )
            for (index, _data), result in zip(items, created, strict=True):
                results[index] = {**result, "index": index}
            return status.HTTP_207_MULTI_STATUS, [results[i] for i in sorted(results)]

        return idempotent(request, "complaints.bulk", perform)

    @extend_schema(
        request=s.BulkActionSerializer,
        responses={207: s.BulkActionResultSerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    @transaction.non_atomic_requests  # each complaint in its own transaction
    def bulk_action(self, request):
        """Dispatch, hand over or close many complaints: each through the single action and
        in its own transaction; one result per id (a complaint not yours to see: 404)."""
        data = self._data(s.BulkActionSerializer)
        ids = data.pop("ids")
        visible = set(
            complaint_list(user=request.user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        results = services.complaints_bulk_act(
            actor=request.user, complaint_ids=ids, visible=visible, **data
        )
        return Response(
            [{**row, "detail": str(row["detail"])} if "detail" in row else row for row in results],
            status=status.HTTP_207_MULTI_STATUS,
        )

    def _act(self, pk, function, serializer_class=None, **extra):
        complaint = self._visible(pk)
        data = self._data(serializer_class) if serializer_class else {}
        function(complaint_id=complaint.pk, actor=self.request.user, **data, **extra)
        return self._render(complaint.pk)

    @extend_schema(request=s.CallbackSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def resolve_first_contact(self, request, pk=None):
        """Resolved during the call: satisfaction captured, archived."""
        return self._act(pk, services.complaint_resolve_first_contact, s.CallbackSerializer)

    @extend_schema(request=s.DispatchSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_to(self, request, pk=None):
        """Dispatch (or re-dispatch) to the handling department."""
        return self._act(pk, services.complaint_dispatch, s.DispatchSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_cs(self, request, pk=None):
        """Not this department's: back to customer service with the reason."""
        return self._act(pk, services.complaint_return, ReasonSerializer)

    @extend_schema(request=s.HandOverSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def hand_over(self, request, pk=None):
        """The interface person names the first-responsible handler."""
        return self._act(pk, services.complaint_hand_over, s.HandOverSerializer)

    @extend_schema(request=AssignSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Name (or change, with a reason) the handler: a person of the handling department."""
        return self._act(pk, services.complaint_assign, AssignSerializer)

    @extend_schema(request=s.ComplaintNoteSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """The handler has reached the customer."""
        return self._act(pk, services.complaint_contact, s.ComplaintNoteSerializer)

    @extend_schema(request=s.ComplaintReplySerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The department's reply with the three clears."""
        return self._act(pk, services.complaint_reply, s.ComplaintReplySerializer)

    @extend_schema(request=s.CallbackSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        """The callback: satisfied → archived, unsatisfied → handled again."""
        complaint = self._visible(pk)
        data = self._data(s.CallbackSerializer)
        services.complaint_callback(
            complaint_id=complaint.pk,
            actor=request.user,
            satisfied=data["satisfaction"] == "satisfied",
            note=data["note"],
        )
        return self._render(complaint.pk)

    @extend_schema(request=s.ConveneSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def convene(self, request, pk=None):
        """Bring another department in, with a written assignment."""
        return self._act(pk, services.complaint_convene, s.ConveneSerializer)

    @extend_schema(request=s.LinkSerializer, responses={200: s.LinkResultSerializer})
    @action(detail=False, methods=["post"])
    def link(self, request):
        """Link complaints (up to 500) to an incident; its counts and level update at once.
        An incident that does not exist, is closed or is not the caller's to see gets the
        same answer (400 on `incident`)."""
        data = self._data(s.LinkSerializer)
        incident = data["incident"]
        visible = set(
            complaint_list(user=request.user)
            .filter(pk__in=data["complaints"])
            .values_list("pk", flat=True)
        )
        missing = [pk for pk in data["complaints"] if pk not in visible]
        if missing:
            from django.core.exceptions import ValidationError

            raise ValidationError({"complaints": f"Not found: {missing[:20]}"})
        linked = services.complaints_link(
            complaint_ids=data["complaints"], incident_id=incident.pk, actor=request.user
        )
        return Response({"incident": incident.pk, "linked": linked})


def _flat_errors(detail) -> list[dict]:
    """DRF's nested error detail as the API's flat list of {attr, code, detail}."""
    if isinstance(detail, dict):
        return [
            {"attr": field, "code": getattr(item, "code", "invalid"), "detail": str(item)}
            for field, items in detail.items()
            for item in (items if isinstance(items, list) else [items])
        ]
    items = detail if isinstance(detail, list) else [detail]
    return [
        {"attr": None, "code": getattr(item, "code", "invalid"), "detail": str(item)}
        for item in items
    ]
