"""Domain errors. Each carries a stable `code` and a human `detail` (already translated).

Pages turn them into one message style; the API turns them into `{"code", "detail"}`.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        if code:
            self.code = code


class NotPermitted(DomainError):
    """The actor may not do this (wrong role, wrong congress, not their record)."""

    code = "not_permitted"
    status = 403


class InvalidTransition(DomainError):
    """The object is not in a state that allows this move."""

    code = "invalid_transition"
    status = 409


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    status = 409


class ValidationFailed(DomainError):
    """Bad input that a form could not catch (e.g. a rule across several fields or rows)."""

    code = "validation_failed"
    status = 422
