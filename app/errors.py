"""Domain exceptions, each with the HTTP status it maps to in one error handler."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a user can see; ``message`` is shown as is."""

    status = 400

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotAuthorized(DomainError):
    status = 403


class SegregationOfDutiesViolation(NotAuthorized):
    """审贷分离: the one who investigated a case may not approve it."""


class InsufficientAuthority(NotAuthorized):
    """分级审批: the approver's authority level is below what the authority table asks for."""


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The step lost a race or the task is no longer open; nothing was changed."""

    status = 409


class CaseNotRunning(Conflict):
    """The case is withdrawn, finished or stopped: the engine steps only a running case; nothing was changed."""


class InvalidInput(DomainError):
    """Submitted data failed validation; ``errors`` maps each field to its message."""

    status = 422

    def __init__(self, message: str, errors: dict[str, str], data: dict | None = None) -> None:
        super().__init__(message, errors=errors, data=data)
        self.errors = errors


class ProcessFailed(DomainError):
    """The diagram itself failed (a script or decision error); the step was not saved."""

    status = 422


class Unavailable(DomainError):
    """The database is unreachable or busy (a lock held too long): nothing was saved; try again shortly.
    Answered 503 with ``Retry-After``."""

    status = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
