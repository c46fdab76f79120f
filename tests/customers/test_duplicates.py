"""Duplicate customers at intake (issue 18, point 6): a "new caller" with the phone of a customer
on file is a likely duplicate and needs confirming; the same name alone is a weaker hint. One
rule (customers.policies) for the console and the API, seen only within the user's units."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.exceptions import PossibleDuplicate
from customers.choices import DuplicateReason
from customers.models import Customer
from customers.policies import CustomerFacts, customer_duplicates_decide, name_normalise
from customers.selectors import customer_duplicates_for
from customers.services import contact_add, customer_create, customer_register

API = "/api/v1"


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


# --- the pure rule -----------------------------------------------------------------------------

ZHANG = CustomerFacts(id=1, name="张三丰", phone="13800138000", other_phones=("057188886666",))
LI = CustomerFacts(id=2, name="李四", phone="13912345678")


@pytest.mark.parametrize(
    "typed",
    ["13800138000", "138 0013 8000", "+86 138-0013-8000", "0086 13800138000"],
    ids=["digits", "spaced", "plus86-dashed", "0086"],
)
def test_the_same_phone_however_typed_is_a_likely_duplicate(typed: str) -> None:
    decision = customer_duplicates_decide(name="张三", phone=typed, existing=[ZHANG, LI])

    assert [(c.customer_id, c.reasons) for c in decision.candidates] == [(1, (DuplicateReason.SAME_PHONE,))]
    assert decision.candidates[0].is_likely
    assert decision.needs_confirmation


def test_their_other_number_or_a_contacts_phone_is_a_likely_duplicate_too() -> None:
    decision = customer_duplicates_decide(name="王五", phone="0571-8888 6666", existing=[ZHANG, LI])

    assert [(c.customer_id, c.reasons) for c in decision.candidates] == [(1, (DuplicateReason.OTHER_PHONE,))]
    assert decision.needs_confirmation


def test_the_same_name_alone_is_a_weaker_hint_that_needs_no_confirmation() -> None:
    decision = customer_duplicates_decide(name=" 李 四 ", phone="13700001111", existing=[ZHANG, LI])

    assert [(c.customer_id, c.reasons) for c in decision.candidates] == [(2, (DuplicateReason.SAME_NAME,))]
    assert not decision.candidates[0].is_likely
    assert not decision.needs_confirmation


def test_phone_matches_come_before_name_matches_and_both_reasons_are_named() -> None:
    namesake = CustomerFacts(id=3, name="张三丰", phone="13600000000")
    decision = customer_duplicates_decide(name="张三丰", phone="13800138000", existing=[namesake, ZHANG])

    assert [(c.customer_id, c.reasons) for c in decision.candidates] == [
        (1, (DuplicateReason.SAME_PHONE, DuplicateReason.SAME_NAME)),
        (3, (DuplicateReason.SAME_NAME,)),
    ]
    assert decision.reasons_of(3) == (DuplicateReason.SAME_NAME,)


def test_a_new_caller_is_no_duplicate_and_empty_input_matches_nothing() -> None:
    assert customer_duplicates_decide(name="赵六", phone="13700001111", existing=[ZHANG, LI]).candidates == ()
    assert (
        customer_duplicates_decide(name="", phone="", existing=[CustomerFacts(id=9, name="", phone="")]).candidates
        == ()
    )


def test_names_are_compared_without_spaces_case_or_full_width_letters() -> None:
    assert name_normalise(" 张 三丰 ") == name_normalise("张三丰")
    assert name_normalise("ＡＢＣ 公司") == name_normalise("abc公司")


# --- the selector: scoped to the user's units ---------------------------------------------------


def test_the_check_finds_customers_by_phone_other_phone_and_contact(agent: Any, customer_a: Any) -> None:
    contact_add(customer=customer_a, acting_user=None, name="张小丰", phone="13711112222")

    by_phone = customer_duplicates_for(user=agent, name="", phone="138 0013 8000")
    by_contact = customer_duplicates_for(user=agent, name="", phone="137-1111-2222")

    assert [m.customer.pk for m in by_phone.matches] == [customer_a.pk]
    assert by_phone.matches[0].reason_labels == [str(DuplicateReason.SAME_PHONE.label)]
    assert [(m.customer.pk, m.reasons) for m in by_contact.matches] == [(customer_a.pk, (DuplicateReason.OTHER_PHONE,))]
    assert by_contact.needs_confirmation


def test_the_check_shows_only_customers_of_the_users_units(
    station_a_user: Any, station_b_user: Any, customer_a: Any
) -> None:
    assert [
        m.customer.pk for m in customer_duplicates_for(user=station_a_user, name="", phone="13800138000").matches
    ] == [customer_a.pk]
    assert customer_duplicates_for(user=station_b_user, name="张三丰", phone="13800138000").matches == ()


def test_inactive_customers_are_not_offered(agent: Any, customer_a: Any) -> None:
    Customer.objects.filter(pk=customer_a.pk).update(is_active=False)
    assert customer_duplicates_for(user=agent, name="张三丰", phone="13800138000").matches == ()


# --- the service --------------------------------------------------------------------------------


def test_registering_a_likely_duplicate_is_refused_with_the_candidates(agent: Any, customer_a: Any) -> None:
    with pytest.raises(PossibleDuplicate) as refused:
        customer_register(acting_user=agent, name="张三", phone="138-0013-8000", confirm_duplicate=False)

    assert refused.value.field == "phone"
    assert refused.value.duplicates == [
        {"kind": "customer", "id": customer_a.pk, "label": "张三丰 13800138000", "reasons": ["same_phone"]}
    ]
    assert Customer.objects.count() == 1


def test_a_confirmed_duplicate_is_created_and_says_what_was_confirmed(agent: Any, customer_a: Any) -> None:
    registration = customer_register(acting_user=agent, name="张三", phone="13800138000", confirm_duplicate=True)

    assert registration.customer.pk != customer_a.pk
    assert [m.customer.pk for m in registration.duplicates.matches] == [customer_a.pk]
    assert Customer.objects.count() == 2


def test_the_same_name_with_another_phone_is_created_without_confirmation(agent: Any, customer_a: Any) -> None:
    registration = customer_register(acting_user=agent, name="张三丰", phone="13700001111", confirm_duplicate=False)

    assert Customer.objects.count() == 2
    assert [m.reasons for m in registration.duplicates.matches] == [(DuplicateReason.SAME_NAME,)]


# --- the API ------------------------------------------------------------------------------------


def test_api_refuses_a_likely_duplicate_naming_the_existing_customer(api_as: Any, agent: Any, customer_a: Any) -> None:
    response = post(api_as(agent), "/customers", {"name": "张三", "phone": "+86 138 0013 8000"})

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "possible_duplicate"
    assert [error["field"] for error in body["errors"]] == ["phone"]
    assert body["duplicates"] == [
        {"kind": "customer", "id": customer_a.pk, "label": "张三丰 13800138000", "reasons": ["same_phone"]}
    ]
    assert Customer.objects.count() == 1


def test_api_creates_the_duplicate_once_confirmed(api_as: Any, agent: Any, customer_a: Any) -> None:
    response = post(api_as(agent), "/customers", {"name": "张三", "phone": "13800138000", "confirm_duplicate": True})

    assert response.status_code == 201, response.content
    assert Customer.objects.filter(phone="13800138000").count() == 2


def test_api_does_not_reveal_a_customer_of_another_unit(api_as: Any, station_b_user: Any, customer_a: Any) -> None:
    """Station B does not see customer A: the same phone is created, not refused (nor named)."""
    body = {"name": "张三丰", "phone": "13800138000", "address": "北京市海淀区中关村大街2号"}
    response = post(api_as(station_b_user), "/customers", body)

    assert response.status_code == 201, response.content


def test_api_same_name_alone_is_not_refused(api_as: Any, agent: Any, customer_a: Any) -> None:
    assert post(api_as(agent), "/customers", {"name": "张三丰", "phone": "13700001111"}).status_code == 201


def test_plain_creation_outside_intake_is_unchanged(customer_a: Any) -> None:
    """Imports, the demo data and the fixtures create customers without the intake check."""
    assert customer_create(acting_user=None, name="张三丰", phone="13800138000").pk != customer_a.pk
