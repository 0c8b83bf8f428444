"""`/api/v1/incidents/`: thin adapters that parse, authorise, call one service, render."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api.pagination import KeysetPagination
from core.idempotency import IDEMPOTENCY, idempotent
from incidents import improvement_services, services
from incidents.choices import ActionItemState, SubmissionKind
from incidents.models import ActionItem, Incident
from incidents.selectors import (
    INCIDENT_ORDER,
    action_item_list,
    action_item_scope,
    incident_action_items,
    incident_branches,
    incident_list,
    incident_scope,
    incident_timeline,
)
from incidents.workflow import may_report
from organisation.api.permissions import OVERSEE, SUBMIT, KeyScoped

from . import serializers as s
from .filters import IncidentFilter


class CanReportIncidents(permissions.BasePermission):
    """Monitoring departments and systems, interface persons, leaders and managers report
    incidents (seed 000 第八条); everybody signed in may read what their scope allows."""

    def has_permission(self, request, view):
        if view.action != "create":
            return True
        return may_report(request.user)


def _action_schema(request_serializer, summary):
    return extend_schema(
        request=request_serializer, responses={200: s.IncidentSerializer}, summary=summary
    )


class IncidentViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Service-quality incidents 事件. Creating one classifies it at once."""

    key_scopes = {"create": SUBMIT}
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter
    pagination_class = KeysetPagination
    keyset_keys = INCIDENT_ORDER
    permission_classes = [permissions.IsAuthenticated, CanReportIncidents]
    queryset = Incident.objects.none()  # for the schema; requests use get_queryset
    lookup_value_regex = "[0-9]+"

    def keyset_branches(self):
        return incident_branches(self.request.user)

    def get_queryset(self):
        return incident_list(user=self.request.user)

    def _render(self, incident_id: int, status_code=status.HTTP_200_OK) -> Response:
        incident = get_object_or_404(self.get_queryset(), pk=incident_id)
        return Response(self.get_serializer(incident).data, status=status_code)

    def _data(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _visible(self, pk) -> Incident:
        """404 for an incident outside the reader's scope, before any workflow check."""
        return get_object_or_404(incident_scope(self.request.user), pk=pk)

    @extend_schema(
        request=s.IncidentCreateSerializer,
        responses={201: s.IncidentSerializer, 200: s.IncidentSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """Report an incident; the answer is the incident as its reporter reads it back."""

        def perform():
            data = self._data(s.IncidentCreateSerializer)
            # one transaction: an answer that cannot be rendered leaves no incident behind
            with transaction.atomic():
                incident = services.incident_create(actor=request.user, **data)
                # whoever reports an incident reads it (an intake key: what it submitted)
                reported = incident_list(user=request.user).get(pk=incident.pk)
                body = self.get_serializer(reported).data
            return status.HTTP_201_CREATED, body

        return idempotent(request, "incidents.create", perform)

    @extend_schema(request=s.IncidentUpdateSerializer, responses={200: s.IncidentSerializer})
    def partial_update(self, request, pk=None):
        incident = self._visible(pk)
        data = dict(self._data(s.IncidentUpdateSerializer))
        services.incident_update_facts(incident_id=incident.pk, actor=request.user, **data)
        return self._render(incident.pk)

    @_action_schema(s.ClassifySerializer, "Set or raise the level, with a reason")
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_classify(
            incident_id=incident.pk, actor=request.user, **self._data(s.ClassifySerializer)
        )
        return self._render(incident.pk)

    @_action_schema(None, "Publish the warning and dispatch to the owning department")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_publish(incident_id=incident.pk, actor=request.user)
        return self._render(incident.pk)

    @_action_schema(None, "The owning department takes the incident on")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_acknowledge(incident_id=incident.pk, actor=request.user)
        return self._render(incident.pk)

    def _submit(self, pk, kind, serializer_class):
        incident = self._visible(pk)
        services.incident_submit(
            incident_id=incident.pk,
            actor=self.request.user,
            kind=kind,
            content=dict(self._data(serializer_class)),
        )
        return self._render(incident.pk)

    @_action_schema(s.TextSerializer, "Send the explanation script 解释口径 to front-line service")
    @action(detail=True, methods=["post"])
    def submit_explanation(self, request, pk=None):
        return self._submit(pk, SubmissionKind.EXPLANATION, s.TextSerializer)

    @_action_schema(s.RootCauseSerializer, "Send the root cause and complaint-handling plan")
    @action(detail=True, methods=["post"])
    def submit_root_cause(self, request, pk=None):
        return self._submit(pk, SubmissionKind.ROOT_CAUSE, s.RootCauseSerializer)

    @_action_schema(s.TextSerializer, "First feedback to HQ that handling has started")
    @action(detail=True, methods=["post"])
    def report_hq_feedback(self, request, pk=None):
        return self._submit(pk, SubmissionKind.HQ_FEEDBACK, s.TextSerializer)

    @_action_schema(s.TextSerializer, "Written implementation plan to HQ")
    @action(detail=True, methods=["post"])
    def submit_hq_plan(self, request, pk=None):
        return self._submit(pk, SubmissionKind.HQ_PLAN, s.TextSerializer)

    @_action_schema(s.TextSerializer, "Report to the executive in charge and the leadership group")
    @action(detail=True, methods=["post"])
    def report_leadership(self, request, pk=None):
        return self._submit(pk, SubmissionKind.LEADERSHIP_REPORT, s.TextSerializer)

    @_action_schema(s.ResolveSerializer, "Resolve with the three clears")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_resolve(
            incident_id=incident.pk, actor=request.user, **self._data(s.ResolveSerializer)
        )
        return self._render(incident.pk)

    @_action_schema(None, "Start the rectification")
    @action(detail=True, methods=["post"])
    def start_improvement(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_start_improvement(incident_id=incident.pk, actor=request.user)
        return self._render(incident.pk)

    @_action_schema(s.SummaryReportSerializer, "The summary report (a new version each time)")
    @action(detail=True, methods=["post"])
    def submit_summary_report(self, request, pk=None):
        incident = self._visible(pk)
        improvement_services.incident_report_summary(
            incident_id=incident.pk, actor=request.user, **self._data(s.SummaryReportSerializer)
        )
        return self._render(incident.pk)

    @_action_schema(s.BulletinSerializer, "The special bulletin's effect and leadership report")
    @action(detail=True, methods=["post"])
    def submit_bulletin(self, request, pk=None):
        incident = self._visible(pk)
        improvement_services.incident_report_bulletin(
            incident_id=incident.pk, actor=request.user, **self._data(s.BulletinSerializer)
        )
        return self._render(incident.pk)

    @extend_schema(
        methods=["get"], responses={200: s.ActionItemSerializer(many=True)}, request=None
    )
    @extend_schema(methods=["get"], responses={200: s.ActionItemSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=s.ActionItemCreateSerializer,
        responses={201: s.ActionItemSerializer},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def action_items(self, request, pk=None):
        """The rectification plan: its measures, or a new one (owner or working group)."""
        incident = self._visible(pk)
        if request.method == "GET":
            items = incident_action_items(incident)
            return Response(s.ActionItemSerializer(items, many=True).data)
        item = improvement_services.action_item_add(
            incident_id=incident.pk, actor=request.user, **self._data(s.ActionItemCreateSerializer)
        )
        return Response(s.ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @_action_schema(s.NoteSerializer, "Close the incident")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_close(
            incident_id=incident.pk, actor=request.user, **self._data(s.NoteSerializer)
        )
        return self._render(incident.pk)

    @_action_schema(s.CancelSerializer, "Cancel: out of scope, withdrawn or duplicate")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        incident = self._visible(pk)
        data = self._data(s.CancelSerializer)
        services.incident_cancel(
            incident_id=incident.pk,
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
            merged_into_id=data["merged_into"],
        )
        return self._render(incident.pk)

    @_action_schema(s.ChangeOwnerSerializer, "Change the owning department, with a reason")
    @action(detail=True, methods=["post"])
    def change_owner(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_change_owner(
            incident_id=incident.pk, actor=request.user, **self._data(s.ChangeOwnerSerializer)
        )
        return self._render(incident.pk)

    @_action_schema(s.AssignSerializer, "Assign a person of the owning department")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        incident = self._visible(pk)
        services.incident_assign(
            incident_id=incident.pk, actor=request.user, **self._data(s.AssignSerializer)
        )
        return self._render(incident.pk)

    @_action_schema(s.EscalateSerializer, "Escalate: professional line, or cross-department")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        incident = self._visible(pk)
        data = self._data(s.EscalateSerializer)
        services.incident_escalate(
            incident_id=incident.pk,
            actor=request.user,
            mode=data["mode"],
            assignments=[(a["department"], a["assignment"]) for a in data["assignments"]],
        )
        return self._render(incident.pk)

    @extend_schema(responses={200: s.TimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def timeline(self, request, pk=None):
        incident = self._visible(pk)
        events = incident_timeline(incident)
        return Response(s.TimelineEventSerializer(events, many=True).data)

    @extend_schema(responses={200: s.SubmissionSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def submissions(self, request, pk=None):
        incident = self._visible(pk)
        submissions = incident.submissions.select_related("author").order_by("kind", "-version")
        return Response(s.SubmissionSerializer(submissions, many=True).data)


def _item_action_schema(request_serializer, summary):
    return extend_schema(
        request=request_serializer, responses={200: s.ActionItemSerializer}, summary=summary
    )


class ActionItemViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rectification measures 整改措施 the caller answers for (managers: all), soonest due first;
    `?state=` filters (default: open and done)."""

    key_read_scopes = OVERSEE

    serializer_class = s.ActionItemSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = ActionItem.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if self.action != "list":  # one measure: any the caller may see
            return action_item_scope(self.request.user).select_related("incident")
        states = self.request.query_params.getlist("state") or [
            ActionItemState.OPEN,
            ActionItemState.DONE,
        ]
        return action_item_list(user=self.request.user, states=states)

    def _act(self, run, serializer_class=None):
        item = self.get_object()
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        run(item_id=item.pk, actor=self.request.user, **data)
        return Response(s.ActionItemSerializer(ActionItem.objects.get(pk=item.pk)).data)

    @_item_action_schema(s.EvidenceSerializer, "Done, with the evidence")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(improvement_services.action_item_complete, s.EvidenceSerializer)

    @_item_action_schema(s.NoteSerializer, "The working group verifies the evidence")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(improvement_services.action_item_verify, s.NoteSerializer)

    @_item_action_schema(s.ReasonSerializer, "The working group sends a done item back")
    @action(detail=True, methods=["post"])
    def send_back(self, request, pk=None):
        return self._act(improvement_services.action_item_send_back, s.ReasonSerializer)

    @_item_action_schema(s.ReasonSerializer, "The working group waives an item, with a reason")
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        return self._act(improvement_services.action_item_waive, s.ReasonSerializer)

    @_item_action_schema(s.AssignSerializer, "Assign a person of the measure's department")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._act(improvement_services.action_item_assign, s.AssignSerializer)
