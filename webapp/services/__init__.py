"""Use cases as plain functions: they flush, never commit, and never read the request."""


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None,
                 errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class NotFoundError(DomainError):
    status = 404


class PermissionDeniedError(DomainError):
    status = 403


class ConflictError(DomainError):
    """The operation does not fit the current state (an illegal transition, a double approval)."""

    status = 409
