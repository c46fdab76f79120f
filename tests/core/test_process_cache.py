"""Per-process caches of configuration tables (core.process_cache), tried on the unit tree: a
warm read costs no query, a change made here is seen at once, a change made by another process
(no signal reaches this one) once the stamp is checked again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core import process_cache
from core.choices import UnitKind
from core.models import OrgUnit
from core.scoping import unit_ancestry, unit_parents, unit_subtree_ids

pytestmark = pytest.mark.django_db


def test_a_warm_read_costs_no_query(production_caches: Any, org: Any, django_assert_num_queries: Any) -> None:
    unit_parents()  # the stamp and the tree
    with django_assert_num_queries(0):
        assert unit_ancestry(org.station_a.pk) == [org.station_a.pk, org.centre.pk, org.hq.pk]
        assert unit_subtree_ids(org.centre.pk) == {org.centre.pk, org.station_a.pk}


def test_a_unit_saved_in_this_process_is_seen_at_once(production_caches: Any, org: Any) -> None:
    assert unit_subtree_ids(org.centre.pk) == {org.centre.pk, org.station_a.pk}
    new = OrgUnit.objects.create(code="HZ-2", name="杭州滨江站", kind=UnitKind.STATION, parent=org.centre)
    assert unit_subtree_ids(org.centre.pk) == {org.centre.pk, org.station_a.pk, new.pk}
    org.station_b.parent = org.centre
    org.station_b.save()
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.centre.pk, org.hq.pk]


def test_another_process_change_is_seen_when_the_stamp_is_checked_again(
    production_caches: Any, org: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: now[0])
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.hq.pk]
    # Another process moves the station: no signal reaches this process.
    OrgUnit.objects.filter(pk=org.station_b.pk).update(
        parent=org.centre, updated_at=timezone.now() + timedelta(seconds=1)
    )
    now[0] += settings.CONFIG_CACHE_SECONDS / 2
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.hq.pk]  # not looked for yet
    now[0] += settings.CONFIG_CACHE_SECONDS
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.centre.pk, org.hq.pk]


def test_with_caching_off_every_read_asks_the_database(org: Any, settings: Any, django_assert_num_queries: Any) -> None:
    settings.CONFIG_CACHE_SECONDS = 0
    unit_parents()
    with django_assert_num_queries(1):
        unit_parents()


def test_clearing_every_cache_forgets_what_was_built(production_caches: Any, org: Any) -> None:
    unit_parents()
    OrgUnit.objects.filter(pk=org.station_b.pk).update(parent=org.centre)  # no signal, same stamp
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.hq.pk]
    process_cache.clear_process_caches()
    assert unit_ancestry(org.station_b.pk) == [org.station_b.pk, org.centre.pk, org.hq.pk]
