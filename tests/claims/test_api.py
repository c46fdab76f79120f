"""The claims API: create (idempotent), answers with version, decide, slip, review, pay; scoping."""

from __future__ import annotations

import json

import pytest

from claims.models import Claim
from tests.claims.conftest import ELIGIBLE_ANSWERS, slip_file
from workorders.services import workorder_create

URL = "/api/v1/claims"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def body(customer, **overrides):
    return {"rule_set": "COUNTERFEIT", "customer": customer.pk, "claimed_amount": "880.00", **overrides}


def test_full_flow_over_the_api_pays_one_to_one_after_slip_review(
    api_as, agent, finance, director, customer_a, device_a, rule_set
):
    order = workorder_create(
        acting_user=agent, customer=customer_a, device=device_a, service_type="claim", channel="api", description="假币"
    )
    client = api_as(agent)
    created = post(
        client,
        URL,
        {"rule_set": "COUNTERFEIT", "work_order": order.pk, "claimed_amount": "880.00", "device": device_a.pk},
    )
    assert created.status_code == 201, created.content
    claim = created.json()
    assert claim["customer"]["id"] == customer_a.pk and claim["status"] == "draft"
    assert claim["rule_set"] == {"id": rule_set.pk, "code": "COUNTERFEIT", "version": 1}
    assert [q["key"] for q in claim["questions"]][:2] == ["notified_immediately", "detection_fully_on"]

    answered = patch(client, f"{URL}/{claim['id']}/answers", {"version": claim["version"], "answers": ELIGIBLE_ANSWERS})
    assert answered.status_code == 200, answered.content
    decided = post(client, f"{URL}/{claim['id']}/decide", {})
    assert decided.status_code == 200
    decision = decided.json()["decision"]
    assert decision["outcome"] == "eligible" and decision["payable_amount"] == "880.00"
    assert [(c["code"], c["result"]) for c in decision["checks"]][:4] == [(c, "met") for c in "1234"]
    assert decided.json()["missing_documents"] == ["bank_slip"]

    refused = post(api_as(director), f"{URL}/{claim['id']}/approve", {})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Payment needs the bank's slip reviewed first."

    no_slip = post(api_as(finance), f"{URL}/{claim['id']}/review", {})
    assert no_slip.status_code == 400 and fields(no_slip) == {"evidence"}

    uploaded = client.post(f"{URL}/{claim['id']}/evidence", {"kind": "bank_slip", "file": slip_file()})
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["missing_documents"] == []
    assert post(api_as(finance), f"{URL}/{claim['id']}/review", {"note": "鉴别单合格"}).status_code == 200
    approved = post(api_as(director), f"{URL}/{claim['id']}/approve", {})
    assert approved.json()["status"] == "approved"
    paid = post(api_as(finance), f"{URL}/{claim['id']}/pay", {"reference": "TX-1"})
    assert (paid.json()["status"], paid.json()["payable_amount"]) == ("paid", "880.00")


def test_missing_answer_needs_review_naming_it(api_as, agent, customer_a, rule_set):
    client = api_as(agent)
    answers = {**ELIGIBLE_ANSWERS, "export_connected": None}
    claim = post(client, URL, body(customer_a, answers=answers)).json()
    decision = post(client, f"{URL}/{claim['id']}/decide", {}).json()["decision"]
    assert decision["outcome"] == "needs_review"
    assert decision["unanswered"] == ["export_connected"]
    check_d = next(c for c in decision["checks"] if c["code"] == "d")
    assert check_d["result"] == "unknown" and "USB drive" in check_d["reason"]


def test_exclusion_e_over_the_api_lists_it(api_as, agent, customer_a, rule_set):
    client = api_as(agent)
    claim = post(client, URL, body(customer_a, answers={**ELIGIBLE_ANSWERS, "outlet": "reject"})).json()
    decision = post(client, f"{URL}/{claim['id']}/decide", {}).json()["decision"]
    assert decision["outcome"] == "not_eligible"
    assert [c["code"] for c in decision["checks"] if c["result"] == "failed"] == ["4", "e"]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"claimed_amount": "-1.00"}, 422, "claimed_amount"),
        ({"claimed_amount": "10.125"}, 422, "claimed_amount"),
        ({"claimed_amount": "0.00"}, 400, "claimed_amount"),
        ({"rule_set": "NOPE"}, 400, "rule_set"),
        ({"device": 999999}, 400, "device"),
        ({"answers": {"outlet": "roof"}}, 400, "answers.outlet"),
        ({"answers": {"colour": "yes"}}, 400, "answers.colour"),
    ],
    ids=["negative", "three-decimals", "zero", "unknown-rule-set", "unknown-device", "bad-answer", "unknown-question"],
)
def test_bad_input_names_the_field_never_a_5xx(api_as, agent, customer_a, rule_set, overrides, status, field):
    response = post(api_as(agent), URL, body(customer_a, **overrides))
    assert response.status_code == status, response.content
    assert field in fields(response)
    assert not Claim.objects.exists()


def test_retried_create_with_the_same_idempotency_key_makes_one_claim(api_as, agent, customer_a, rule_set):
    client = api_as(agent)
    first = post(client, URL, body(customer_a), HTTP_IDEMPOTENCY_KEY="claim-1")
    again = post(client, URL, body(customer_a), HTTP_IDEMPOTENCY_KEY="claim-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Claim.objects.count() == 1


def test_stale_answers_version_is_409(api_as, agent, customer_a, rule_set):
    client = api_as(agent)
    claim = post(client, URL, body(customer_a)).json()
    assert (
        patch(client, f"{URL}/{claim['id']}/answers", {"version": 1, "answers": {"outlet": "accepted"}}).status_code
        == 200
    )
    stale = patch(client, f"{URL}/{claim['id']}/answers", {"version": 1, "answers": {"outlet": "reject"}})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


def test_station_b_cannot_read_station_a_claims(api_as, station_a_user, station_b_user, customer_a, rule_set):
    claim = post(api_as(station_a_user), URL, body(customer_a)).json()
    other = api_as(station_b_user)
    assert other.get(f"{URL}/{claim['id']}").status_code == 404
    assert other.get(URL).json() == {"items": [], "count": 0}
    assert post(other, f"{URL}/{claim['id']}/decide", {}).status_code == 404
    assert api_as(station_a_user).get(URL).json()["count"] == 1


def test_station_b_cannot_claim_for_station_a_customer(api_as, station_b_user, customer_a, rule_set):
    response = post(api_as(station_b_user), URL, body(customer_a))
    assert response.status_code == 400 and fields(response) == {"customer"}


def test_rule_sets_list_and_detail_show_the_seed_wording(api_as, agent, rule_set):
    client = api_as(agent)
    listed = client.get(f"{URL}/rule-sets").json()
    assert listed["count"] == 1 and listed["items"][0]["payout_ratio"] == "1"
    detail = client.get(f"{URL}/rule-sets/{rule_set.pk}").json()
    assert [r["code"] for r in detail["rules"]] == list("1234abcdefg")
    assert detail["rules"][4]["text_zh"] == "我公司售后服务人员未到现场,代理商售后私自赔付的不予赔偿;"


def test_technician_may_not_approve_payment(api_as, technician, customer_a, rule_set, agent):
    claim = post(api_as(agent), URL, body(customer_a)).json()
    assert post(api_as(technician), f"{URL}/{claim['id']}/approve", {}).status_code == 403
