"""`/api/v1/hq/warnings/` (HQ's signed webhook) and `/api/v1/incidents/{id}/reports/`."""

import json
import time

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse401Serializer
from rest_framework import authentication, exceptions, permissions, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import check
from incidents.selectors import incident_scope

from .. import services
from ..choices import Intake
from ..models import Report
from ..signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, signature_check
from . import serializers as s


class HqSignatureAuthentication(authentication.BaseAuthentication):
    """HQ signs each request: ``X-Fenghuo-Signature: sha256=<hex HMAC-SHA256(secret,
    timestamp + "." + raw body)>`` with ``X-Fenghuo-Timestamp`` (Unix seconds, within 5
    minutes): an unsigned, wrongly signed or stale request is a 401."""

    def authenticate(self, request):
        given = request.headers.get(SIGNATURE_HEADER)
        timestamp = request.headers.get(TIMESTAMP_HEADER)
        if not given or not timestamp:
            return None
        try:
            signature_check(
                secret=settings.HQ_WEBHOOK_SECRET,
                timestamp=timestamp,
                given=given,
                body=request._request.body,
                now=time.time(),
                tolerance=settings.HQ_WEBHOOK_TOLERANCE,
            )
        except SignatureError as error:
            raise exceptions.AuthenticationFailed(f"Not signed by headquarters: {error}.") from None
        return services.hq_intake_user(), "hq"

    def authenticate_header(self, request) -> str:
        return 'HMAC-SHA256 realm="hq", headers="X-Fenghuo-Signature X-Fenghuo-Timestamp"'


class SignedByHq(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.auth == "hq"


SIGNED = [
    OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True,
                     description="sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>"),
    OpenApiParameter(TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True,
                     description="Unix seconds; refused when more than 5 minutes off."),
]  # fmt: skip


class HqWarningView(APIView):
    """HQ's warnings 总部预警信息 in (seed 000 第八条(一)).

    Signed with the shared secret ``HQ_WEBHOOK_SECRET``: ``X-Fenghuo-Signature:
    sha256=<hex HMAC-SHA256(secret, X-Fenghuo-Timestamp + "." + raw body)>``, the timestamp
    in Unix seconds within 5 minutes of the server's clock. Each HQ reference raises one
    HQ-issued incident (201); the same reference again answers the existing one (200). The
    incident's limits run from ``sent_at``."""

    authentication_classes = [HqSignatureAuthentication]
    permission_classes = [SignedByHq]

    def initial(self, request, *args, **kwargs):
        # a method this view does not answer is a 405 whoever asks, before the signature
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=s.WarningInSerializer,
        responses={
            201: s.WarningSerializer,
            200: s.WarningSerializer,
            401: ErrorResponse401Serializer,
        },
        parameters=SIGNED,
        summary="Receive a warning from headquarters (signed webhook)",
    )
    def post(self, request):
        raw = request._request.body
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise exceptions.ParseError("The body is not JSON.") from None
        check(data)
        serializer = s.WarningInSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        warning, created = services.hq_warning_receive(
            raw=raw, intake=Intake.WEBHOOK, **serializer.validated_data
        )
        return Response(
            s.WarningSerializer(warning).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class _ReportBase(APIView):
    def _incident(self, incident_id: int):
        """404 for an incident outside the reader's scope."""
        return get_object_or_404(incident_scope(self.request.user), pk=incident_id)

    def _report(self, incident_id: int, pk: int) -> Report:
        incident = self._incident(incident_id)
        return get_object_or_404(Report.objects.filter(incident=incident), pk=pk)

    def _render(self, pk: int, code=status.HTTP_200_OK) -> Response:
        report = Report.objects.prefetch_related("deliveries").get(pk=pk)
        return Response(s.ReportSerializer(report).data, status=code)


class ReportListView(_ReportBase):
    """The incident's reports to the leadership and to HQ: prepare one (a draft generated
    from the incident), list them with what was sent to whom."""

    @extend_schema(responses={200: s.ReportSerializer(many=True)}, summary="The reports")
    def get(self, request, incident_id: int):
        incident = self._incident(incident_id)
        reports = Report.objects.filter(incident=incident).prefetch_related("deliveries")
        return Response(s.ReportSerializer(reports, many=True).data)

    @extend_schema(
        request=s.ReportPrepareSerializer,
        responses={201: s.ReportSerializer, 200: s.ReportSerializer},
        summary="Prepare a report (the unsent one of its kind if there is one)",
    )
    def post(self, request, incident_id: int):
        incident = self._incident(incident_id)
        serializer = s.ReportPrepareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.report_prepare(
            incident_id=incident.pk, actor=request.user, **serializer.validated_data
        )
        return self._render(report.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportDetailView(_ReportBase):
    @extend_schema(responses={200: s.ReportSerializer}, summary="A report")
    def get(self, request, incident_id: int, pk: int):
        return self._render(self._report(incident_id, pk).pk)

    @extend_schema(
        request=s.ReportEditSerializer,
        responses={200: s.ReportSerializer},
        summary="Edit a report's wording (an approved one goes back to draft)",
    )
    def patch(self, request, incident_id: int, pk: int):
        report = self._report(incident_id, pk)
        serializer = s.ReportEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_edit(report_id=report.pk, actor=request.user, **serializer.validated_data)
        return self._render(report.pk)


class ReportApproveView(_ReportBase):
    @extend_schema(request=None, responses={200: s.ReportSerializer}, summary="Approve a draft")
    def post(self, request, incident_id: int, pk: int):
        report = self._report(incident_id, pk)
        services.report_approve(report_id=report.pk, actor=request.user)
        return self._render(report.pk)


class ReportSendView(_ReportBase):
    @extend_schema(
        request=None,
        responses={200: s.ReportSerializer},
        summary="Send an approved report (e-mail with the PDF, robots); meets its deadline",
    )
    def post(self, request, incident_id: int, pk: int):
        report = self._report(incident_id, pk)
        services.report_send(report_id=report.pk, actor=request.user)
        return self._render(report.pk)


class HqSignatureScheme(OpenApiAuthenticationExtension):
    """The schema's name for HQ's signature (the timestamp header goes with it)."""

    target_class = HqSignatureAuthentication
    name = "HqSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": "sha256=<hex HMAC-SHA256(HQ_WEBHOOK_SECRET, X-Fenghuo-Timestamp + "
            "'.' + raw body)>, with X-Fenghuo-Timestamp in Unix seconds within 5 minutes.",
        }
