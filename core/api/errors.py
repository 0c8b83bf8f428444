"""JSON errors that name the field and carry a machine-readable code (drf-standardized-errors),
extended with the domain errors our services raise."""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from drf_standardized_errors.handler import exception_handler as standardized_errors_handler
from drf_standardized_errors.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail

from core.errors import Conflict
from core.unavailable import CODE, MESSAGE, UNAVAILABLE, retry_after


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Not allowed in the current state."
    default_code = "conflict"


class ServiceUnavailableError(exceptions.APIException):
    """The database or the broker cannot be reached for a moment (``core.unavailable``);
    ``Retry-After`` says when to try again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = MESSAGE
    default_code = CODE

    def __init__(self) -> None:
        super().__init__()
        self.wait = retry_after()  # drf-standardized-errors answers it as Retry-After


class ExceptionHandler(BaseExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=get_error_detail(exc))
        if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
            # Django's upload limits: the client's fault
            return exceptions.ParseError(detail=str(exc))
        if isinstance(exc, PermissionDenied):
            return exceptions.PermissionDenied(detail=str(exc) or None)
        if isinstance(exc, Conflict):
            return ConflictError(detail=exc.message, code=exc.code)
        if isinstance(exc, TransitionNotAllowed | ConcurrentTransition):
            # Another request moved the record first (a concurrent transition).
            return ConflictError(detail=str(exc), code="invalid_state")
        if isinstance(exc, UNAVAILABLE):
            return ServiceUnavailableError()
        return super().convert_known_exceptions(exc)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ValidationErrorResponseSerializer(serializers.Serializer):
    """A 400 names the field (``attr``: the field, or a dotted path into a nested one, or
    ``non_field_errors``) and a machine-readable code."""

    type = serializers.ChoiceField(choices=["validation_error"])
    errors = ErrorSerializer(many=True)


class ConflictErrorResponseSerializer(serializers.Serializer):
    """A 409: not allowed from the record's current state, or an ``Idempotency-Key`` reused
    with another body."""

    type = serializers.ChoiceField(choices=["client_error"])
    errors = ErrorSerializer(many=True)


class ServiceUnavailableErrorResponseSerializer(serializers.Serializer):
    """A 503: the database or the broker cannot be reached for a moment; the
    ``Retry-After`` header says in how many seconds to try again."""

    type = serializers.ChoiceField(choices=["server_error"])
    errors = ErrorSerializer(many=True)


class ApiSchema(AutoSchema):
    """drf-standardized-errors' error documentation, made exact for this API.

    - A 400 is documented wherever one can happen: every write and every list (a filter or
      ``page_size`` that is no valid value). Its fields are named, not enumerated: an error
      may name a filter, a query parameter or a key of a nested object.
    - Every write may be a 409 (:class:`ConflictError`).
    - Every call may be a 503 while the database or the broker is out of reach
      (:class:`ServiceUnavailableError`).
    """

    def _get_allowed_error_status_codes(self) -> list[str]:
        return sorted({*super()._get_allowed_error_status_codes(), "400", "409", "503"})

    def _should_add_validation_error_response(self) -> bool:
        return (
            self.method in ("PUT", "PATCH", "POST")
            or self._get_paginator() is not None
            or any(parameter["in"] == "query" for parameter in self._get_parameters())
            or super()._should_add_validation_error_response()
        )

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409":
            return (
                status_code not in responses
                and self.method in ("PUT", "PATCH", "POST", "DELETE")
                and self.view.get_exception_handler() is standardized_errors_handler
            )
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code: str):
        if status_code == "409":
            return ConflictErrorResponseSerializer
        if status_code == "503":
            return ServiceUnavailableErrorResponseSerializer
        return super()._get_error_response_serializer(status_code)

    def _get_serializer_for_validation_error_response(self):
        return ValidationErrorResponseSerializer
