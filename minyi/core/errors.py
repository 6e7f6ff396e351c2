"""Domain errors. Each carries a stable `code` and a human `detail` (already translated).

Pages turn them into one message style; the API turns them into `{"code", "detail"}`.

One status policy (issue #11): each class declares its HTTP `status`, and `http_status` is the one
answer to a refused action for the API's exception handler and for every form page alike:

=====================  ======
NotPermitted           403
InvalidTransition      409
DeadlinePassed         409
ValidationFailed       422
=====================  ======
"""

from __future__ import annotations

from collections.abc import Mapping


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


def http_status(exc: DomainError) -> int:
    """The status of the response to a refused action, for the API and the pages alike: the status
    its class declares (a bare `DomainError`, which no action raises, is bad input: 422 on a page,
    400 in the API, as before)."""
    return exc.status


def page_status(exc: DomainError) -> int:
    """The status of a form page shown again after the action refused: `http_status`, except that
    a bare `DomainError` (400, bad input of no declared kind) shows the form as bad input (422)."""
    status = http_status(exc)
    return 422 if status == 400 else status


class FieldErrors(ValidationFailed):
    """Bad input, by field name (``"__all__"`` for errors about the whole record)."""

    def __init__(self, errors: Mapping[str, list[str] | str], *, code: str | None = None) -> None:
        self.errors = {
            name: [str(m) for m in ([msgs] if isinstance(msgs, str) else msgs)]
            for name, msgs in errors.items()
        }
        super().__init__("；".join(m for msgs in self.errors.values() for m in msgs), code=code)
