"""Bulk actions of the work-order list (issue 18, point 10): tick orders, then assign a technician,
change the priority or export them. Each order goes through the single action's service and
checks in its own transaction, the answer lists what happened to each, a retried POST changes
nothing twice, each action needs its permission, and an order the user may not see is refused
without being touched."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from core.testing import make_user
from dispatch.services import technician_profile_save
from workorders.choices import EventKind, Priority
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition, workorder_update

pytestmark = pytest.mark.django_db


def english(user: Any) -> Any:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    return user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(english(user))
    return client


def submitted(agent: Any, customer: Any, *, service_type: str = "repair", device: Any = None) -> WorkOrder:
    return workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type=service_type,
        channel="phone",
        description="电动车无法启动，仪表盘不亮",
    )


def accepted(agent: Any, customer: Any, *, service_type: str = "repair") -> WorkOrder:
    order = submitted(agent, customer, service_type=service_type)
    return workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})


def bulk_post(client: Client, action: str, orders: list[WorkOrder], token: str = "", **fields: Any) -> Any:
    data: dict[str, Any] = {"action": action, "order": [str(order.pk) for order in orders], **fields}
    for order in orders:
        data[f"version_{order.pk}"] = str(order.version)
    if token:
        data["token"] = token
    return client.post(reverse("workorders:bulk"), data)


def outcomes(response: Any) -> dict[str, tuple[str, str]]:
    """``{number: (done | refused, message)}`` as the result page lists them."""
    found = {}
    for outcome in response.context["outcomes"]:
        found[outcome.number] = ("done" if outcome.done else "refused", outcome.message)
    return found


def fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.get(pk=order.pk)


# --- change priority --------------------------------------------------------------------------------


def test_a_new_priority_is_given_to_each_ticked_order_and_listed_per_order(agent: Any, customer_a: Any) -> None:
    first, second = submitted(agent, customer_a), submitted(agent, customer_a)

    response = bulk_post(client_for(agent), "priority", [first, second], priority=str(Priority.P1))

    assert response.status_code == 200
    assert outcomes(response) == {
        first.number: ("done", "Priority set to P1 highest."),
        second.number: ("done", "Priority set to P1 highest."),
    }
    for order in (first, second):
        after = fresh(order)
        assert (after.priority, after.version) == (Priority.P1, order.version + 1)
        event = after.events.get(kind=EventKind.UPDATED)
        assert event.data == {"priority": {"from": Priority.P3, "to": Priority.P1}}
    page = response.content.decode()
    assert 'id="bulk-outcomes"' in page and "2 done" in page and "0 refused" in page


def test_an_order_changed_since_it_was_listed_is_refused_and_not_overwritten(agent: Any, customer_a: Any) -> None:
    kept, changed = submitted(agent, customer_a), submitted(agent, customer_a)
    listed_version = changed.version
    workorder_update(order=changed, acting_user=agent, changes={"priority": Priority.P4}, expected_version=None)

    response = bulk_post(client_for(agent), "priority", [kept, changed], priority=str(Priority.P2))

    result = outcomes(response)
    assert result[kept.number] == ("done", "Priority set to P2 high.")
    assert result[changed.number][0] == "refused"
    assert f"you edited {listed_version}" in result[changed.number][1]
    assert fresh(changed).priority == Priority.P4  # someone else's edit stays


# --- assign -------------------------------------------------------------------------------------------


def test_bulk_assign_goes_through_the_assign_checks_order_by_order(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any, category: Any
) -> None:
    # The dispatch app's rule (registered with workorders.hooks.register_assignment_check): this
    # technician does installations only.
    technician_profile_save(
        acting_user=dispatcher, user=technician, categories=[category], service_types=["installation"]
    )
    installation = accepted(agent, customer_a, service_type="installation")
    repair = accepted(agent, customer_a, service_type="repair")
    not_accepted = submitted(agent, customer_a, service_type="installation")

    response = bulk_post(
        client_for(dispatcher), "assign", [installation, repair, not_accepted], technician=str(technician.pk)
    )

    assert response.status_code == 200
    assert outcomes(response) == {
        installation.number: ("done", "Assigned to tech."),
        repair.number: ("refused", "tech does not do “Repair” work."),
        not_accepted.number: ("refused", "“Assign technician” is not possible while the order is Submitted."),
    }
    assert (fresh(installation).technician_id, fresh(installation).status) == (technician.pk, "assigned")
    assert fresh(installation).events.filter(kind="assign").count() == 1
    for untouched in (repair, not_accepted):
        after = fresh(untouched)
        assert (after.technician_id, after.version, after.status) == (None, untouched.version, untouched.status)
        assert not after.events.filter(kind="assign").exists()
    page = response.content.decode()
    assert "1 done" in page and "2 refused" in page


def test_reassigning_in_bulk_needs_the_reason_the_single_assign_asks_for(
    agent: Any, dispatcher: Any, technician: Any, org: Any, customer_a: Any
) -> None:
    other = make_user(Role.TECHNICIAN, org.centre, username="tech2")
    order = accepted(agent, customer_a)
    order = workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": other.pk})

    without = bulk_post(client_for(dispatcher), "assign", [order], technician=str(technician.pk))
    assert outcomes(without) == {order.number: ("refused", "Give a reason for reassigning the order.")}
    assert fresh(order).technician_id == other.pk

    with_reason = bulk_post(
        client_for(dispatcher), "assign", [order], technician=str(technician.pk), reason="原师傅请假"
    )
    assert outcomes(with_reason) == {order.number: ("done", "Assigned to tech.")}
    assert fresh(order).technician_id == technician.pk


# --- idempotent retries ----------------------------------------------------------------------------


def test_a_retried_submission_of_the_same_form_changes_nothing_a_second_time(agent: Any, customer_a: Any) -> None:
    first, second = submitted(agent, customer_a), submitted(agent, customer_a)
    client = client_for(agent)

    bulk_post(client, "priority", [first, second], token="tok-1", priority=str(Priority.P1))
    retry = bulk_post(client, "priority", [first, second], token="tok-1", priority=str(Priority.P1))

    assert retry.status_code == 200
    assert [(o.done, o.replayed) for o in retry.context["outcomes"]] == [(True, True), (True, True)]
    assert "already applied by this form" in retry.content.decode()
    for order in (first, second):
        assert fresh(order).version == order.version + 1  # changed once
        assert fresh(order).events.filter(kind=EventKind.UPDATED).count() == 1


def test_a_retried_assign_writes_one_assignment(agent: Any, dispatcher: Any, technician: Any, customer_a: Any) -> None:
    order = accepted(agent, customer_a)
    client = client_for(dispatcher)

    for _attempt in range(2):
        response = bulk_post(client, "assign", [order], token="tok-assign", technician=str(technician.pk))
        assert outcomes(response) == {order.number: ("done", "Assigned to tech.")}

    assert fresh(order).events.filter(kind="assign").count() == 1
    assert fresh(order).version == order.version + 1


def test_a_repeat_without_the_token_is_stopped_by_the_version(agent: Any, customer_a: Any) -> None:
    order = submitted(agent, customer_a)
    client = client_for(agent)
    bulk_post(client, "priority", [order], priority=str(Priority.P2))

    again = bulk_post(client, "priority", [order], priority=str(Priority.P1))  # the page's old version

    assert outcomes(again)[order.number][0] == "refused"
    assert (fresh(order).priority, fresh(order).version) == (Priority.P2, order.version + 1)


def test_the_same_token_for_another_action_is_refused(agent: Any, customer_a: Any) -> None:
    order = submitted(agent, customer_a)
    client = client_for(agent)
    bulk_post(client, "priority", [order], token="tok-2", priority=str(Priority.P2))

    other = bulk_post(client, "priority", [fresh(order)], token="tok-2", priority=str(Priority.P4))

    assert outcomes(other)[order.number] == (
        "refused",
        "This form was already used for another action; reload the list and try again.",
    )
    assert fresh(order).priority == Priority.P2


# --- permission -------------------------------------------------------------------------------------


def test_each_action_needs_its_permission(agent: Any, technician: Any, customer_a: Any) -> None:
    order = accepted(agent, customer_a)

    # A technician may not edit orders; an agent may not dispatch.
    denied_priority = bulk_post(client_for(technician), "priority", [order], priority=str(Priority.P1))
    denied_assign = bulk_post(client_for(agent), "assign", [order], technician=str(technician.pk))

    assert (denied_priority.status_code, denied_assign.status_code) == (403, 403)
    after = fresh(order)
    assert (after.priority, after.technician_id, after.version) == (order.priority, None, order.version)


def test_the_bulk_bar_offers_only_the_actions_the_user_may_use(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any
) -> None:
    accepted(agent, customer_a)
    pages = {
        user.username: client_for(user).get(reverse("workorders:list")).content.decode()
        for user in (agent, dispatcher, technician)
    }
    assert 'id="bulk-priority"' in pages["agent"] and 'id="bulk-assign-open"' not in pages["agent"]
    assert 'id="bulk-priority"' in pages["dispatcher"] and 'id="bulk-assign-open"' in pages["dispatcher"]
    assert 'id="bulk-priority"' not in pages["tech"] and 'id="bulk-assign-open"' not in pages["tech"]
    for page in pages.values():
        assert 'id="bulk-export"' in page and 'id="wo-select-all"' in page
        assert 'class="form-check-input wo-select"' in page


def test_the_technician_picker_lists_the_dispatchers_technicians_and_only_for_dispatchers(
    agent: Any, dispatcher: Any, technician: Any
) -> None:
    picker = client_for(dispatcher).get(reverse("workorders:bulk_assign_picker"))

    assert picker.status_code == 200
    page = picker.content.decode()
    assert f'<option value="{technician.pk}">tech · 杭州服务中心</option>' in page
    assert 'id="bulk-assign"' in page and 'name="reason"' in page
    assert client_for(agent).get(reverse("workorders:bulk_assign_picker")).status_code == 403


# --- scope --------------------------------------------------------------------------------------------


def test_an_order_the_user_may_not_see_is_refused_and_never_touched(
    agent: Any, station_b_user: Any, customer_a: Any, customer_b: Any
) -> None:
    hidden, own = submitted(agent, customer_a), submitted(agent, customer_b)

    response = bulk_post(client_for(station_b_user), "priority", [hidden, own], priority=str(Priority.P1))

    assert outcomes(response) == {
        f"#{hidden.pk}": ("refused", "No such work order."),
        own.number: ("done", "Priority set to P1 highest."),
    }
    assert hidden.number not in response.content.decode()  # not even its number is shown
    after = fresh(hidden)
    assert (after.priority, after.version, after.updated_at) == (hidden.priority, hidden.version, hidden.updated_at)
    assert not after.events.filter(kind=EventKind.UPDATED).exists()


def test_a_technician_outside_the_users_units_cannot_be_chosen(
    agent: Any, station_b_user: Any, technician: Any, customer_b: Any
) -> None:
    order = accepted(agent, customer_b)

    response = bulk_post(client_for(station_b_user), "assign", [order], technician=str(technician.pk))

    assert response.status_code == 400
    assert "Technician: Select a valid choice." in response.content.decode()
    assert fresh(order).technician_id is None


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "priority", "priority": "1"}, "Work orders: Select at least one work order."),
        ({"action": "priority", "priority": "1", "order": "abc"}, "Work orders: Select work orders from the list."),
        ({"action": "priority", "order": "{pk}"}, "Priority: Choose a priority."),
        ({"action": "priority", "priority": "9", "order": "{pk}"}, "Priority: Select a valid choice."),
        ({"action": "assign", "order": "{pk}"}, "Technician: Choose the technician to assign."),
        ({"action": "drop", "order": "{pk}"}, "Action: Select a valid choice."),
    ],
    ids=["no-orders", "bad-id", "no-priority", "unknown-priority", "no-technician", "unknown-action"],
)
def test_bad_input_is_refused_naming_the_field(
    director: Any, customer_a: Any, data: dict[str, str], message: str
) -> None:
    order = submitted(director, customer_a)
    data = {key: value.format(pk=order.pk) for key, value in data.items()}

    response = client_for(director).post(reverse("workorders:bulk"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert fresh(order).version == order.version


def test_more_orders_than_the_limit_are_refused(agent: Any, customer_a: Any, monkeypatch: Any) -> None:
    from workorders import bulk

    monkeypatch.setattr(bulk, "BULK_LIMIT", 1)
    orders = [submitted(agent, customer_a), submitted(agent, customer_a)]

    response = bulk_post(client_for(agent), "priority", orders, priority="1")

    assert response.status_code == 400
    assert "Work orders: Select at most 1 work orders at a time." in response.content.decode()
    assert all(fresh(order).version == order.version for order in orders)


# --- export the selection -------------------------------------------------------------------------------


def test_exporting_the_selection_answers_the_ticked_visible_orders_as_excel(
    agent: Any, station_b_user: Any, customer_a: Any, customer_b: Any
) -> None:
    from openpyxl import load_workbook

    hidden, ticked = submitted(agent, customer_a), submitted(agent, customer_b)
    submitted(agent, customer_b)  # not ticked

    response = bulk_post(client_for(station_b_user), "export", [hidden, ticked])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [ticked.number]
