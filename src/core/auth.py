"""Authentication backend that keeps a user's role permissions for a short while.

Django reads a user's permissions with two queries on every request; for the API's hot paths
(intake) that is ~13 % of the CPU. Permissions come from role groups that rarely change, so
they are cached per user for ``PERMISSION_CACHE_SECONDS`` (0 disables it: tests). Any change of
group membership or of a group's or user's permissions bumps a generation number that is part of
every key, so the change takes effect on the next request everywhere.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed

GENERATION_KEY = "auth:perms:generation"


def _cache_key(user_id: Any) -> str:
    generation = cache.get_or_set(GENERATION_KEY, 1, None)
    return f"auth:perms:{generation}:{user_id}"


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        seconds = getattr(settings, "PERMISSION_CACHE_SECONDS", 0)
        if not seconds or obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _cache_key(user_obj.pk)
            permissions = cache.get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, permissions, seconds)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache


def forget_cached_permissions(**kwargs: Any) -> None:
    """Invalidate every cached permission set (role changes are rare; correctness first)."""
    if str(kwargs.get("action", "post_")).startswith("post_"):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 2, None)


def connect_signals() -> None:
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(forget_cached_permissions, sender=through, dispatch_uid=f"core.auth.{through.__name__}")
