"""`/api/v1/metrics/…`: the dashboards' figures, with the page's filters as query parameters
(`since`, `until`, `department`, `city` codes, `level`, `business_line`)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents.choices import BusinessLine, Level
from organisation.api.permissions import OVERSEE, KeyScoped

from . import selectors
from .forms import FilterForm

# a day the platform takes (core.limits): 2000-01-01 to 2100-12-31
DAY = {
    "type": "string",
    "format": "date",
    "pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
}

FILTERS = [
    OpenApiParameter(
        "since",
        DAY,
        description="First day (YYYY-MM-DD); default 29 days before `until`; at most 366 days "
        "before it.",
    ),
    OpenApiParameter(
        "until", DAY, description="Last day (YYYY-MM-DD), not before `since`; default today."
    ),
    OpenApiParameter("department", str, description="Department code."),
    OpenApiParameter("city", str, description="City code."),
    OpenApiParameter(
        "level", str, enum=Level.values, description="Warning level (incidents and alerts)."
    ),
    OpenApiParameter("business_line", str, enum=BusinessLine.values),
]
TYPED = ("since", "until", "level", "business_line")


class KeyCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    n = serializers.IntegerField()


class OverviewSerializer(serializers.Serializer):
    incidents_by_level = serializers.DictField(child=serializers.IntegerField())
    deadlines_overdue = serializers.IntegerField()
    deadlines_due_soon = serializers.IntegerField()
    due_soon_minutes = serializers.IntegerField()
    alerts_unacknowledged = serializers.IntegerField()
    complaints_today = serializers.IntegerField()
    complaints_today_by_line = KeyCountSerializer(many=True)
    complaints_today_by_city = KeyCountSerializer(many=True)
    as_of = serializers.DateTimeField(allow_null=True, help_text="Today's rollup computed at.")


class TrendsSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(
        choices=["day", "month"],
        help_text=f"Month for a period of more than {selectors.MONTHLY_TRENDS_FROM_DAYS} days.",
    )
    days = serializers.ListField(
        child=serializers.DateField(), help_text="The first day of each bucket."
    )
    ends = serializers.ListField(
        child=serializers.DateField(), help_text="The last day of each bucket."
    )
    incidents_opened = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Per level, one count per bucket.",
    )
    complaints_received = serializers.ListField(child=serializers.IntegerField())
    complaints_escalated = serializers.ListField(child=serializers.IntegerField())


class DepartmentFiguresSerializer(serializers.Serializer):
    department = serializers.CharField()
    department_name = serializers.CharField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="Percent of deadlines met.")
    on_time_by_kind = serializers.DictField(child=serializers.FloatField(allow_null=True))
    deadlines_due = serializers.IntegerField()
    mtta_minutes = serializers.FloatField(allow_null=True, help_text="Publication → ack.")
    mttr_hours = serializers.FloatField(allow_null=True, help_text="Occurrence → restored.")
    incidents_resolved = serializers.IntegerField()
    first_ask_rate = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    recurrence_rate = serializers.FloatField(allow_null=True)
    complaints_archived = serializers.IntegerField()
    incidents_closed = serializers.IntegerField()


class MetricsViewSet(KeyScoped, viewsets.ViewSet):
    """The dashboards' figures, from daily rollups (today's: as of the last recomputation).
    People who do not oversee every department get their own department's figures."""

    key_read_scopes = OVERSEE
    permission_classes = [permissions.IsAuthenticated]

    def _filters(self, request) -> selectors.Filters:
        form = FilterForm(request.query_params)
        # The page's form sends its empty fields; an API caller leaves a filter out instead,
        # and an empty typed one is no value of its type (as on every list's filters).
        for name in TYPED:
            if request.query_params.get(name) == "":
                form.add_error(
                    name,
                    DjangoValidationError(
                        _("A value is required (or leave the filter out)."), code="blank"
                    ),
                )
        if not form.is_valid():
            # the form's errors with their codes ("out_of_range" for a day no record has)
            raise DjangoValidationError(form.errors.as_data())
        return form.filters(request.user)

    @extend_schema(parameters=FILTERS, responses=OverviewSerializer)
    @action(detail=False)
    def overview(self, request):
        """Now: open incidents by level, deadlines overdue and due soon, alerts not yet
        acknowledged; today: complaints by business line and by city."""
        return Response(OverviewSerializer(selectors.overview(self._filters(request))).data)

    @extend_schema(parameters=FILTERS, responses=TrendsSerializer)
    @action(detail=False)
    def trends(self, request):
        """Per day of the period: incidents opened by level, complaints received, escalated."""
        # selectors.trends returns the serializer's types already (ISO days, ints): the
        # serializer documents the answer, and skipping its per-value pass saves a few ms
        return Response(selectors.trends(self._filters(request)))

    @extend_schema(parameters=FILTERS, responses=DepartmentFiguresSerializer(many=True))
    @action(detail=False)
    def departments(self, request):
        """Per department in the period: on-time rate (overall and per deadline kind), MTTA,
        MTTR, first-ask resolution rate, satisfaction, recurrence rate."""
        # as_dict() returns the serializer's types already (str, int, float or None)
        return Response(
            [figures.as_dict() for figures in selectors.departments(self._filters(request))]
        )


class WorkDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The deadline's kind (its policy code).")
    name = serializers.CharField()
    due_at = serializers.DateTimeField()


class WorkRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["incident", "complaint", "action_item"], help_text="The kind of record."
    )
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField(help_text="The record's state, by its name.")
    url = serializers.CharField(help_text="The record's page.")
    deadline = WorkDeadlineSerializer(allow_null=True, help_text="The nearest open deadline.")
    overdue = serializers.BooleanField()


class MyWorkViewSet(KeyScoped, viewsets.ViewSet):
    """What the caller is assigned to across incidents, complaints and action items, the
    nearest deadline first (the "My work" page)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=WorkRowSerializer(many=True))
    def list(self, request):
        rows = selectors.my_work(request.user)
        return Response(WorkRowSerializer(rows, many=True).data)
