"""The ledger's refusal: a move would take a warehouse's available quantity below zero."""

from __future__ import annotations

from core.exceptions import OutOfStock


class StockShortage(OutOfStock):
    """``OutOfStock`` with what is available: the API answers 409 ``{"detail", "code": "out_of_stock",
    "available"}`` (SPEC §14.2)."""

    def __init__(self, message: str, *, available: int, field: str = "quantity") -> None:
        super().__init__(message, field=field)
        self.available = available
