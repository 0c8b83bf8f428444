"""Domain errors that every app's services raise; the API turns them into status codes.

- :class:`django.core.exceptions.ValidationError` (with field names) → 400
- :class:`django.core.exceptions.PermissionDenied` → 403
- :class:`Conflict` → 409: not allowed from the current state of the record
"""


class Conflict(Exception):
    default_code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details or {}
