"""Domain errors.

Services raise these; views turn them into a flash message, the API into
``{"error": {"code", "message"}}`` with ``status``. Messages are user-facing and
translatable (lazy gettext), Indonesian by default.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field


class ValidationError(DomainError):
    status = 422
    code = "validation_error"


class Forbidden(DomainError):
    """The person may not do this yet or at all (e.g. no recorded consent)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    """Too many failed attempts in a row: try again after ``retry_after`` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
