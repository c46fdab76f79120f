"""The header's menu and shortcuts (core.navigation, issue 18 point 10 A): entries grouped by area
in NAV_GROUPS order, an area without entries hidden, ``section=`` still accepted, an unknown
area refused at registration; the inbox's unread badge computed in one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import navigation
from core.navigation import NAV_GROUPS, NavEntry, header_links_for, nav_groups_for
from core.roles import Role
from core.testing import make_user
from tests.notify.conftest import accepted_order
from workorders import services as wo

pytestmark = pytest.mark.django_db


def _entry_ids(groups: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {group["key"]: [entry["id"] for entry in group["entries"]] for group in groups}


def test_the_areas_of_the_others_are_declared_and_known() -> None:
    keys = [key for key, _label in NAV_GROUPS]
    for key in ("orders", "dispatch", "customers", "billing", "setup"):
        assert key in keys
    for key in ("parts", "aftercare", "maintenance", "knowledge", "reports"):
        assert key in keys
    assert keys[-1] == "setup"
    assert len(set(keys)) == len(keys)


def test_an_unknown_area_is_refused_when_the_entry_is_made() -> None:
    with pytest.raises(ValueError, match="unknown menu group"):
        NavEntry(group="spare", label="x", url_name="home")  # type: ignore[arg-type]


def test_section_setup_still_lands_in_the_setup_area() -> None:
    assert NavEntry(section="setup", label="x", url_name="home").group == "setup"
    assert NavEntry(section="main", label="x", url_name="home").group == "orders"
    assert NavEntry(section="setup", group="billing", label="x", url_name="home").group == "billing"


def test_the_menu_follows_the_role_and_hides_empty_areas(org: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(
        navigation,
        "_ENTRIES",
        [
            NavEntry(group="setup", label="B", url_name="customers:list", order=2, element_id="b"),
            NavEntry(group="orders", label="A", url_name="workorders:list", order=5, element_id="a"),
            NavEntry(group="parts", label="P", url_name="home", permission="no_such.perm", element_id="p"),
            NavEntry(group="reports", label="Gone", url_name="no-such-url", element_id="gone"),
            NavEntry(section="setup", label="Old", url_name="devices:list", order=1, element_id="old"),
        ],
    )
    admin = make_user(Role.ADMIN, org.hq)
    technician = make_user(Role.TECHNICIAN, org.centre)

    # NAV_GROUPS order, entries by their order; an entry whose URL is gone is left out.
    assert _entry_ids(nav_groups_for(admin)) == {"orders": ["a"], "parts": ["p"], "setup": ["old", "b"]}
    # Without the permission, the parts area has no entry and is not shown.
    assert _entry_ids(nav_groups_for(technician)) == {"orders": ["a"], "setup": ["old", "b"]}
    assert nav_groups_for(None) == []


def test_the_apps_register_their_entries_in_their_areas(org: Any) -> None:
    menu = _entry_ids(nav_groups_for(make_user(Role.ADMIN, org.hq)))
    assert menu["orders"][:2] == ["nav-workorders", "nav-register"]
    assert menu["customers"][:2] == ["nav-customers", "nav-devices"]
    assert "nav-dispatch" in menu["dispatch"]
    assert list(menu) == [key for key, _label in NAV_GROUPS if key in menu]
    tech_menu = _entry_ids(nav_groups_for(make_user(Role.TECHNICIAN, org.centre)))
    assert "nav-my-jobs" in tech_menu["dispatch"]


def test_only_the_most_specific_entry_is_current(org: Any) -> None:
    agent = make_user(Role.AGENT, org.hq)
    groups = nav_groups_for(agent, path=reverse("workorders:register"))
    current = [entry["id"] for group in groups for entry in group["entries"] if entry["active"]]
    assert current == ["nav-register"]
    assert [group["key"] for group in groups if group["active"]] == ["orders"]


def test_the_inbox_badge_counts_unread_messages_in_one_query(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any
) -> None:
    order = accepted_order(agent, customer_a)
    wo.workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    technician.has_perm("notify.view_outboxmessage")  # a request has loaded the permissions already
    with CaptureQueriesContext(connection) as queries:
        links = header_links_for(technician)
    inbox = next(link for link in links if link["id"] == "nav-inbox")
    assert inbox["badge"] == 1
    assert len(queries) == 1  # the count


def test_a_staff_page_has_the_search_box_the_inbox_and_the_icon(client: Any, agent: Any) -> None:
    client.force_login(agent)
    page = client.get(reverse("workorders:list"))
    assert 'id="nav-inbox"' in page.content.decode()
    assert 'id="site-search"' in page.content.decode()
    assert 'rel="icon"' in page.content.decode()
