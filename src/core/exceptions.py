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


class PossibleDuplicate(DomainError):
    """The record being created may already exist (the same caller's phone, an open order for
    the same device): nothing was created. Confirm that it is a new one, or use the existing one.

    ``duplicates`` lists what it may duplicate, each ``{"kind", "id", "label", "reasons"}`` (the
    reasons are stable codes). The API answers 409 with the code ``possible_duplicate``.
    """

    code = "possible_duplicate"

    def __init__(self, message: str, *, field: str, duplicates: Sequence[dict[str, object]]) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.duplicates = list(duplicates)


class ChecklistIncomplete(TransitionNotAllowed):
    """The work may not go on (to QC, to the customer's sign-off) while items of the visit code of
    conduct are neither ticked nor explained (issue 18 point 5). ``open_items`` names them, each
    ``{"item": code, "label": label}``. The API answers 409 with the code ``checklist_incomplete``."""

    code = "checklist_incomplete"

    def __init__(
        self,
        message: str,
        *,
        status: str,
        action: str,
        allowed_actions: Sequence[str],
        open_items: Sequence[dict[str, str]],
    ) -> None:
        super().__init__(message, status=status, action=action, allowed_actions=allowed_actions)
        self.open_items = list(open_items)
