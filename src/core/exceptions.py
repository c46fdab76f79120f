"""Domain errors that the UI and the API turn into clear, localised answers (409, 403, 400)."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    code = "domain_error"


class TransitionNotAllowed(DomainError):
    """The action is not possible from the order's current state (or a guard refuses it)."""

    code = "transition_not_allowed"

    def __init__(self, message: str, *, status: str, action: str, allowed_actions: Sequence[str]) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.action = action
        self.allowed_actions = list(allowed_actions)


class VersionConflict(DomainError):
    """Someone else saved the record since it was loaded: reload and apply the change again."""

    code = "version_conflict"

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class OutOfStock(DomainError):
    """Reserved for the spare-parts ledger: a stock move would make the available quantity negative.

    The API answers 409 with the code ``out_of_stock`` and the message under ``field``.
    """

    code = "out_of_stock"

    def __init__(self, message: str, *, field: str = "quantity") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
