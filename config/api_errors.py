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
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail

from organisation.errors import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Not allowed in the current state."
    default_code = "conflict"


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
        return super().convert_known_exceptions(exc)
