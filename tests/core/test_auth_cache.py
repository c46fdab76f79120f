"""The permission cache: fewer queries, and a change of role takes effect at once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from core.choices import Role


@pytest.fixture
def permission_cache(settings):
    settings.PERMISSION_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_permissions_are_read_once_and_then_come_from_the_cache(permission_cache, agent, django_assert_num_queries):
    assert fresh(agent).has_perm("workorders.accept_workorder")
    user = fresh(agent)
    with django_assert_num_queries(0):
        assert user.has_perm("workorders.accept_workorder")
        assert not user.has_perm("workorders.inspect_workorder")


def test_a_new_role_takes_effect_at_once(permission_cache, agent):
    assert not fresh(agent).has_perm("workorders.inspect_workorder")
    agent.groups.add(Group.objects.get(name=Role.QC_INSPECTOR))
    assert fresh(agent).has_perm("workorders.inspect_workorder")


def test_a_removed_role_takes_effect_at_once(permission_cache, agent):
    assert fresh(agent).has_perm("workorders.accept_workorder")
    agent.groups.remove(Group.objects.get(name=Role.AGENT))
    assert not fresh(agent).has_perm("workorders.accept_workorder")


def test_removing_a_member_from_the_group_side_takes_effect_at_once(permission_cache, agent):
    assert fresh(agent).has_perm("workorders.accept_workorder")
    Group.objects.get(name=Role.AGENT).user_set.remove(agent)
    assert not fresh(agent).has_perm("workorders.accept_workorder")


def test_a_permission_taken_from_a_role_takes_effect_at_once(permission_cache, agent):
    from django.contrib.auth.models import Permission

    assert fresh(agent).has_perm("workorders.accept_workorder")
    Group.objects.get(name=Role.AGENT).permissions.remove(Permission.objects.get(codename="accept_workorder"))
    assert not fresh(agent).has_perm("workorders.accept_workorder")
