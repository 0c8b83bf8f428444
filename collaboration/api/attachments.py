"""`/api/v1/attachments/`: files attached to the records people work on together.

A record is named ``<kind>:<id>`` (``incident:12``, ``action_item:3``, ``submission:7``,
``complaint:40``, ``violation:5``), in the ``record`` query parameter of the list and the
``record`` field of an upload. Uploads are ``multipart/form-data``, one file each; a file is
never changed or deleted (it is part of the record's history)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.errors import ValidationErrorResponseSerializer
from organisation.api.permissions import SUBMIT, KeyScoped

from ..attachment_selectors import attachment_get, attachment_list, record_get
from ..attachment_services import TooLarge, attachment_add
from ..attachment_views import attachment_response
from ..models import Attachment
from ..records import kinds


class PayloadTooLarge(exceptions.ValidationError):
    """A 413 that names the field, as a 400 does."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


def _kinds_help() -> str:
    return ", ".join(kind.code for kind in kinds())


RECORD_HELP = "The record, as `<kind>:<id>`: `incident:12`, `complaint:40`, …"


#: ``<kind>:<id>``; an unknown kind is a 404, as a record one may not see
RECORD_PATTERN = r"^[a-z_]{1,30}:[1-9][0-9]{0,17}$"


def record_from(text: str, request):
    """The record ``<kind>:<id>`` names; a record the caller may not see is a 404, as one
    that does not exist (or a kind there is not)."""
    code, _colon, pk = text.partition(":")
    return record_get(user=request.user, code=code, pk=pk)


def record_field() -> serializers.RegexField:
    return serializers.RegexField(
        RECORD_PATTERN,
        max_length=50,
        help_text=RECORD_HELP,
        error_messages={
            "invalid": f"Name a record as <kind>:<id>, the kind one of: {_kinds_help()}."
        },
    )


class AttachmentSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "record",
            "name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_record(self, attachment) -> str:
        return f"{attachment.record_kind}:{attachment.record_id}"

    def get_uploaded_by(self, attachment) -> str:
        return attachment.uploaded_by.get_username()

    def get_download(self, attachment) -> str:
        return reverse("attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    record = record_field()
    # no max_length: DRF's would limit the file's name, while the schema would say the bytes
    # (ATTACHMENT_MAX_BYTES bounds those: a 413)
    file = serializers.FileField(help_text="The file; its type is read from its bytes.")

    def validate_record(self, value):
        return record_from(value, self.context["request"])


class RecordQuerySerializer(serializers.Serializer):
    record = record_field()

    def validate_record(self, value):
        return record_from(value, self.context["request"])


class AttachmentViewSet(
    KeyScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Attachments 附件 of incidents, action items, submissions, complaints and violations."""

    key_scopes = {"create": SUBMIT}
    serializer_class = AttachmentSerializer
    queryset = Attachment.objects.none()
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or (
            self.request is not None and self.request.method == "POST"
        ):
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        parameters=[RecordQuerySerializer],
        responses={200: AttachmentSerializer(many=True), 404: ErrorResponse404Serializer},
    )
    def list(self, request, *args, **kwargs):
        """The files attached to one record, oldest first."""
        query = RecordQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        queryset = attachment_list(record=query.validated_data["record"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        """One attachment's description (its bytes: ``download``)."""
        attachment, _record = attachment_get(user=request.user, pk=kwargs["pk"])
        return Response(self.get_serializer(attachment).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            413: OpenApiResponse(
                ValidationErrorResponseSerializer,
                description="The file is larger than the limit (`ATTACHMENT_MAX_BYTES`).",
            ),
        },
    )
    @transaction.non_atomic_requests  # the service's own transaction, and its cleanup
    def create(self, request, *args, **kwargs):
        """Attach a file to a record one may see. Its type is what its bytes are (a 400 on
        `file` outside the accepted types); larger than the limit is a 413 on `file`."""
        upload = AttachmentUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            attachment = attachment_add(
                record=upload.validated_data["record"],
                actor=request.user,
                file=file,
                name=file.name,
            )
        except TooLarge as error:
            raise PayloadTooLarge(detail=get_error_detail(error)) from error
        except DjangoValidationError as error:
            raise exceptions.ValidationError(detail=get_error_detail(error)) from error
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file's bytes, with its type and its name (`Content-Disposition`).",
            )
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file itself, always as a download."""
        attachment, _record = attachment_get(user=request.user, pk=pk)
        return attachment_response(attachment, download=True)
