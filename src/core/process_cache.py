"""Per-process caches of small configuration tables (service levels, message templates, the
unit tree) that hot paths such as ``accept`` read on every call.

A cache is dropped at once in this process when one of its models is saved or deleted (model
signals, also for many-to-many changes), and when another process changed one: a stamp (row
count and latest ``updated_at`` of each model) is compared at most every
``CONFIG_CACHE_SECONDS``. A write that bypasses signals (``QuerySet.update``) in another process
is seen when the stamp changes; keep such writes to services, which save rows. Tests run with
``CONFIG_CACHE_SECONDS = 0``: nothing is cached (ids repeat across rolled-back tests), and the
tests of the caches and of the query budgets turn it on.

The work calendars keep their own cache (``workcalendar.selectors``): they are built objects
with derived state, refreshed the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save

V = TypeVar("V")

_registry: list[StampedCache[Any]] = []


class StampedCache(Generic[V]):
    """``cache.get(key, build)``: the value built once per process, rebuilt after a change."""

    def __init__(self, name: str, *, models: Sequence[type[models.Model]], through: Sequence[Any] = ()) -> None:
        self.name = name
        self.models = tuple(models)
        self._lock = threading.Lock()
        self._values: dict[Hashable, V] = {}
        self._stamp: tuple[Any, ...] | None = None
        self._checked = 0.0
        for model in self.models:
            post_save.connect(self._on_change, sender=model, weak=False, dispatch_uid=f"{name}.save.{model.__name__}")
            post_delete.connect(
                self._on_change, sender=model, weak=False, dispatch_uid=f"{name}.delete.{model.__name__}"
            )
        for relation in through:
            m2m_changed.connect(self._on_change, sender=relation, weak=False, dispatch_uid=f"{name}.m2m.{relation}")
        _registry.append(self)

    def _on_change(self, **kwargs: Any) -> None:
        # Now (this request reads its own change) and after commit (another thread may have
        # rebuilt the cache from the rows before the change meanwhile).
        self.clear()
        transaction.on_commit(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._stamp = None
            self._checked = 0.0

    def _current_stamp(self) -> tuple[Any, ...]:
        stamp: list[Any] = []
        for model in self.models:
            row = model._default_manager.aggregate(n=Count("pk"), at=Max("updated_at"))
            stamp += [row["n"], row["at"]]
        return tuple(stamp)

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        seconds = float(getattr(settings, "CONFIG_CACHE_SECONDS", 10))
        if seconds <= 0:
            return build()
        now = time.monotonic()
        if now - self._checked >= seconds:
            stamp = self._current_stamp()
            with self._lock:
                if stamp != self._stamp:
                    self._values.clear()
                    self._stamp = stamp
                self._checked = now
        if key in self._values:
            return self._values[key]
        value = build()
        with self._lock:
            self._values[key] = value
        return value


def clear_process_caches() -> None:
    """Drop every cache of this process (tests between cases; after a bulk import)."""
    for cache in _registry:
        cache.clear()
