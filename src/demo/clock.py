"""A settable clock for building demo history through the real services.

The services stamp ``timezone.now()`` (timeline events, accepted/completed times, change log,
``created_at``, the day in work-order numbers). Demo data should look as if it happened over the
last weeks, so while the loader runs, ``django.utils.timezone.now`` returns the simulated moment
it sets. Only ``load_demo`` uses this, in one process, and the real clock is always restored.
A moment in the future is refused: demo history never runs ahead of the real time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone


class DemoClock:
    def __init__(self) -> None:
        self._real_now = timezone.now
        self._moment: datetime | None = None

    def set(self, moment: datetime | None) -> None:
        if moment is not None:
            real = self._real_now()
            if moment > real:
                raise ValueError(f"demo clock set to the future: {moment.isoformat()} > {real.isoformat()}")
        self._moment = moment

    def real_now(self) -> datetime:
        return self._real_now()

    def now(self) -> datetime:
        return self._moment if self._moment is not None else self._real_now()


@contextlib.contextmanager
def demo_clock() -> Iterator[DemoClock]:
    clock = DemoClock()
    original = timezone.now
    timezone.now = clock.now  # type: ignore[assignment]
    try:
        yield clock
    finally:
        timezone.now = original  # type: ignore[assignment]
