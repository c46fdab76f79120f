"""Quotes, purchasing prices, approval, settlement and review through the real services."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing import services
from billing.choices import QuoteStatus, SettlementStatus
from billing.models import FeeSchedule, PurchaseQuoteRequest, Quote
from billing.pdf import amount_in_chinese, settlement_receipt_pdf
from billing.reference import install_reference_data, reference_rates
from billing.selectors import quotes_visible_to, settlements_visible_to
from core.exceptions import TransitionNotAllowed
from workorders import services as wo
from workorders.choices import ChargeType, EventKind, Status

D = Decimal
pytestmark = pytest.mark.django_db


def seed_example(order: Any, agent: Any, parts_clerk: Any) -> Quote:
    """2 days on site, train fare 356.50, 1 night, 1.5 h labour, two listed parts, one unlisted."""
    draft = services.quote_build(
        order=order,
        acting_user=agent,
        days="2",
        nights="1",
        hours="1.5",
        travel_cost="356.50",
        parts=[("BAT-48V", "", "1"), ("BRK-PAD", "", "2"), (None, "控制器主板", "1")],
    )
    assert draft.is_complete is False
    request = PurchaseQuoteRequest.objects.get(order=order)
    services.purchase_request_price(request=request, acting_user=parts_clerk, unit_price="688.88")
    return Quote.objects.get(pk=draft.pk)


def test_the_ready_made_fee_schedule_is_the_seeds_and_installing_again_changes_nothing() -> None:
    schedule = FeeSchedule.objects.get()
    rates = {rate.kind: (rate.unit, rate.amount, rate.customer_may_provide) for rate in schedule.rates.all()}
    assert rates == {
        "travel": ("actual", None, True),
        "lodging": ("per_day", D("200.00"), True),
        "meals": ("per_day", D("50.00"), True),
        "allowance": ("per_day", D("200.00"), False),
        "labour": ("per_hour", D("100.00"), False),
    }
    install_reference_data()
    assert FeeSchedule.objects.count() == 1
    assert len(reference_rates()) == 5


def test_seed_fee_example_is_priced_end_to_end_with_purchasings_price(
    paid_order: Any, agent: Any, parts_clerk: Any, price_list: Any
) -> None:
    quote = seed_example(paid_order, agent, parts_clerk)
    lines = [(line.kind, line.description, line.quantity, line.unit_price, line.amount) for line in quote.lines.all()]
    assert lines == [
        ("travel", "Travel", D("1.00"), D("356.50"), D("356.50")),
        ("labour", "Labour", D("1.50"), D("100.00"), D("150.00")),
        ("lodging", "Lodging", D("1.00"), D("200.00"), D("200.00")),
        ("meals", "Meals", D("2.00"), D("50.00"), D("100.00")),
        ("allowance", "Personnel allowance", D("2.00"), D("200.00"), D("400.00")),
        ("parts", "48V 锂电池", D("1.00"), D("1280.00"), D("1280.00")),
        ("parts", "刹车片", D("2.00"), D("45.50"), D("91.00")),
        ("parts", "控制器主板", D("1.00"), D("688.88"), D("688.88")),
    ]
    assert quote.total == D("3266.38")
    assert quote.is_complete is True
    sent = services.quote_send(quote=quote, acting_user=agent)
    order = wo.WorkOrder.objects.get(pk=paid_order.pk)
    assert (sent.status, order.status, order.quoted_amount, order.charge_type) == (
        QuoteStatus.SENT,
        Status.QUOTED,
        D("3266.38"),
        ChargeType.PAID,
    )
    event = order.events.get(kind=EventKind.QUOTE_LINES)
    assert event.data["total"] == "3266.38"
    assert [line["amount"] for line in event.data["lines"]][-1] == "688.88"


def test_a_quote_waiting_for_purchasing_cannot_be_sent(paid_order: Any, agent: Any) -> None:
    quote = services.quote_build(order=paid_order, acting_user=agent, days="1", parts=[(None, "特殊轮毂", "1")])
    with pytest.raises(ValidationError) as error:
        services.quote_send(quote=quote, acting_user=agent)
    assert error.value.message_dict == {"quote": ["A part still waits for the purchasing department's price."]}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        pytest.param({"days": "-1"}, "days", "The value may not be negative.", id="negative-days"),
        pytest.param({"travel_cost": "356.505"}, "travel_cost", "Enter at most two decimal places.", id="3-decimals"),
        pytest.param({"hours": "abc"}, "hours", "Enter a number.", id="not-a-number"),
        pytest.param({"travel_cost": "NaN"}, "travel_cost", "Enter a number.", id="nan"),
        pytest.param(
            {"parts": [("BAT-48V", "", "-2")]}, "parts.0.quantity", "The value may not be negative.", id="negative-qty"
        ),
        pytest.param(
            {"parts": [("BAT-48V", "", "0")]}, "parts.0.quantity", "The value must be at least 0.01.", id="zero-qty"
        ),
        pytest.param(
            {"parts": [("NOPE-1", "", "1")]},
            "parts.0.code",
            "Part code “NOPE-1” is not on the price list in force.",
            id="unknown-part",
        ),
        pytest.param(
            {"days": "1", "provided_by_customer": ["allowance"]},
            "provided_by_customer",
            "Personnel allowance cannot be provided by the customer.",
            id="allowance-not-providable",
        ),
    ],
)
def test_bad_quote_input_is_refused_naming_the_field(
    paid_order: Any, agent: Any, price_list: Any, kwargs: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.quote_build(order=paid_order, acting_user=agent, **kwargs)
    assert error.value.message_dict == {field: [message]}
    assert not Quote.objects.exists()


def test_a_price_with_three_decimals_is_refused_for_purchasing_and_price_lists(
    paid_order: Any, agent: Any, parts_clerk: Any
) -> None:
    request = services.purchase_request_create(order=paid_order, acting_user=agent, description="主板", quantity="1")
    with pytest.raises(ValidationError) as error:
        services.purchase_request_price(request=request, acting_user=parts_clerk, unit_price="12.345")
    assert error.value.message_dict == {"unit_price": ["Enter at most two decimal places."]}
    with pytest.raises(ValidationError) as error:
        services.part_price_list_create(
            acting_user=None,
            effective_from=datetime.date(2026, 1, 1),
            prices=[services.PartPriceSpec("A", "甲", "1.001")],
        )
    assert error.value.message_dict == {"prices.0.unit_price": ["Enter at most two decimal places."]}


def test_a_new_fee_schedule_does_not_change_a_sent_quote(paid_order: Any, agent: Any, customer_a: Any) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1", nights="1"), acting_user=agent
    )
    assert quote.total == D("450.00")
    services.fee_schedule_create(
        acting_user=None,
        effective_from=timezone.localdate() - datetime.timedelta(days=1),
        rates=[services.RateSpec("lodging", "per_day", "300.00", True), services.RateSpec("meals", "per_day", "60")]
        + [services.RateSpec("allowance", "per_day", "250.00")],
    )
    quote.refresh_from_db()
    assert quote.total == D("450.00")
    assert [line.amount for line in quote.lines.all()] == [D("200.00"), D("50.00"), D("200.00")]
    from tests.billing.conftest import make_paid_order

    later = make_paid_order(agent, customer_a)
    repriced = services.quote_build(order=later, acting_user=agent, days="1", nights="1")
    assert repriced.total == D("610.00")


def test_paid_work_cannot_be_dispatched_until_the_customer_approves_on_the_portal(
    paid_order: Any, agent: Any, dispatcher: Any, technician: Any
) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1"), acting_user=agent
    )
    order = wo.WorkOrder.objects.get(pk=paid_order.pk)
    dispatcher_actor = wo.Actor(dispatcher)
    assert "assign" not in [t.action for t in wo.allowed_transitions(order, dispatcher_actor)]
    with pytest.raises(TransitionNotAllowed):
        wo.workorder_transition(
            order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
        )

    wo.workorder_transition(order=order, action="approve_quote", acting_user=None, by_customer=True, data={})
    quote.refresh_from_db()
    order.refresh_from_db()
    assert (quote.status, quote.decided_via, order.status) == (QuoteStatus.APPROVED, "portal", Status.APPROVED)
    assert "assign" in [t.action for t in wo.allowed_transitions(order, dispatcher_actor)]


def test_the_agent_records_a_phone_confirmation_with_who_and_when(paid_order: Any, agent: Any) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1"), acting_user=agent
    )
    when = timezone.now() - datetime.timedelta(minutes=30)
    with pytest.raises(ValidationError) as error:
        services.quote_confirm_by_phone(quote=quote, acting_user=agent, confirmed_by="  ")
    assert error.value.message_dict == {"confirmed_by": ["Enter who confirmed the quote on the customer's side."]}

    confirmed = services.quote_confirm_by_phone(
        quote=quote, acting_user=agent, confirmed_by="张经理", confirmed_at=when
    )
    order = wo.WorkOrder.objects.get(pk=paid_order.pk)
    assert (confirmed.status, confirmed.decided_via, confirmed.confirmed_by) == (
        QuoteStatus.APPROVED,
        "phone",
        "张经理",
    )
    assert confirmed.decided_at == when
    assert confirmed.recorded_by_id == agent.pk
    assert order.status == Status.APPROVED and order.quote_approved_at is not None
    event = order.events.get(kind="approve_quote")
    assert (event.actor_id, event.data["confirmed_by"]) == (agent.pk, "张经理")
    assert "张经理" in event.note


def test_declining_on_the_portal_marks_the_quote_declined(paid_order: Any, agent: Any) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1"), acting_user=agent
    )
    wo.workorder_transition(
        order=paid_order, action="decline_quote", acting_user=None, by_customer=True, data={"reason": "太贵"}
    )
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED


def test_a_quote_whose_every_line_is_waived_marks_the_order_free(
    paid_order: Any, agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing.policies import WaiverTerm

    waivers = [
        WaiverTerm("meals", "contract", "服务包", "合同覆盖餐饮"),
        WaiverTerm("allowance", "contract", "服务包", "合同覆盖人员补贴"),
    ]
    monkeypatch.setattr(services, "order_fee_waivers", lambda order: waivers)
    quote = services.quote_build(order=paid_order, acting_user=agent, days="2")
    assert [(line.kind, line.amount, line.is_waiver) for line in quote.lines.all()] == [
        ("meals", D("100.00"), False),
        ("allowance", D("400.00"), False),
        ("meals", D("-100.00"), True),
        ("allowance", D("-400.00"), True),
    ]
    assert (quote.subtotal, quote.waived, quote.total) == (D("500.00"), D("500.00"), D("0.00"))
    sent = services.quote_send(quote=quote, acting_user=agent)
    order = wo.WorkOrder.objects.get(pk=paid_order.pk)
    assert (sent.status, order.status, order.charge_type) == (QuoteStatus.WAIVED, Status.ACCEPTED, ChargeType.FREE)
    assert "waived" in order.events.get(kind=EventKind.QUOTE_LINES).note


def _approved(order: Any, agent: Any) -> Quote:
    quote = services.quote_send(
        quote=services.quote_build(order=order, acting_user=agent, days="2", nights="1", travel_cost="356.50"),
        acting_user=agent,
    )
    return services.quote_confirm_by_phone(quote=quote, acting_user=agent, confirmed_by="张三丰")


def test_settlement_issues_a_receipt_in_chinese_readable_with_pdftotext(
    paid_order: Any, agent: Any, tmp_path: Any
) -> None:
    _approved(paid_order, agent)
    settlement = services.settlement_record(
        order=paid_order,
        acting_user=agent,
        actual_charge="1056.50",
        amount_paid="1056.50",
        payment_method="wechat",
        receiver="李收款",
        note="现场微信收款",
    )
    order = wo.WorkOrder.objects.get(pk=paid_order.pk)
    assert (order.actual_charge, order.payment_receiver) == (D("1056.50"), "李收款")
    assert settlement.receipt_number.startswith("RC-")
    assert order.events.filter(kind=EventKind.SETTLEMENT).count() == 1
    path = tmp_path / "receipt.pdf"
    path.write_bytes(settlement_receipt_pdf(settlement))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    for expected in [
        "收费单据",
        settlement.receipt_number,
        order.number,
        "张三丰",
        "交通费",
        "356.50",
        "住宿费",
        "餐饮费",
        "人员补贴",
        "1,056.50",
        "壹仟零伍拾陆元伍角整",
        "微信支付",
        "李收款",
        "待财务审核",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (D("356.50"), "叁佰伍拾陆元伍角整"),
        (D("1000.05"), "壹仟元零伍分"),
        (D("10050"), "壹万零伍拾元整"),
        (D("100000"), "壹拾万元整"),
        (D("0.5"), "伍角整"),
        (D("0"), "零元整"),
    ],
)
def test_amount_in_chinese_capital_figures(value: Decimal, words: str) -> None:
    assert amount_in_chinese(value) == words


def test_settlement_bad_input_names_the_field(paid_order: Any, agent: Any) -> None:
    _approved(paid_order, agent)
    cases = [
        ({"actual_charge": "-1"}, "actual_charge", "The value may not be negative."),
        ({"amount_paid": "10.001"}, "amount_paid", "Enter at most two decimal places."),
        ({"amount_paid": "2000"}, "amount_paid", "The amount paid cannot exceed the actual charge."),
        ({"receiver": " "}, "receiver", "Enter who received the payment."),
        ({"payment_method": "gold"}, "payment_method", "Choose a payment method."),
    ]
    for change, field, message in cases:
        data = {"actual_charge": "100", "amount_paid": "100", "payment_method": "cash", "receiver": "李", **change}
        with pytest.raises(ValidationError) as error:
            services.settlement_record(order=paid_order, acting_user=agent, **data)
        assert error.value.message_dict == {field: [message]}


def test_finance_reviews_a_settlement_and_a_rejection_needs_a_reason(paid_order: Any, agent: Any, finance: Any) -> None:
    _approved(paid_order, agent)
    settlement = services.settlement_record(
        order=paid_order,
        acting_user=agent,
        actual_charge="100",
        amount_paid="100",
        payment_method="cash",
        receiver="李",
    )
    with pytest.raises(PermissionDenied):
        services.settlement_review(settlement=settlement, acting_user=agent, approve=True)
    with pytest.raises(ValidationError) as error:
        services.settlement_review(settlement=settlement, acting_user=finance, approve=False)
    assert error.value.message_dict == {"note": ["Give the reason for rejecting the settlement."]}
    rejected = services.settlement_review(settlement=settlement, acting_user=finance, approve=False, note="金额不符")
    assert (rejected.status, rejected.reviewed_by_id, rejected.review_note) == (
        SettlementStatus.REJECTED,
        finance.pk,
        "金额不符",
    )
    again = services.settlement_record(
        order=paid_order, acting_user=agent, actual_charge="90", amount_paid="90", payment_method="cash", receiver="李"
    )
    reviewed = services.settlement_review(settlement=again, acting_user=finance, approve=True)
    assert reviewed.status == SettlementStatus.REVIEWED
    with pytest.raises(ValidationError):
        services.settlement_review(settlement=reviewed, acting_user=finance, approve=True)


def test_station_b_cannot_read_station_as_quotes_or_settlements(
    paid_order: Any, agent: Any, station_a_user: Any, station_b_user: Any, finance: Any
) -> None:
    _approved(paid_order, agent)
    services.settlement_record(
        order=paid_order,
        acting_user=agent,
        actual_charge="100",
        amount_paid="100",
        payment_method="cash",
        receiver="李",
    )
    assert quotes_visible_to(station_a_user).count() == 1
    assert settlements_visible_to(station_a_user).count() == 1
    assert quotes_visible_to(station_b_user).count() == 0
    assert settlements_visible_to(station_b_user).count() == 0
    assert settlements_visible_to(finance).count() == 1
    with pytest.raises(ValidationError):
        services.quote_build(order=paid_order, acting_user=station_b_user, days="1")


def test_only_an_accepted_order_gets_a_quote(agent: Any, customer_a: Any) -> None:
    order = wo.workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="不能开机了"
    )
    with pytest.raises(ValidationError) as error:
        services.quote_build(order=order, acting_user=agent, days="1")
    assert list(error.value.message_dict) == ["order"]


def test_an_in_warranty_device_gets_labour_and_parts_waived_as_separate_lines(
    agent: Any, customer_a: Any, device_a: Any, price_list: Any
) -> None:
    pytest.importorskip("policies.waivers")
    from tests.billing.conftest import make_paid_order

    order = make_paid_order(agent, customer_a, device_a)
    quote = services.quote_build(order=order, acting_user=agent, days="1", hours="2", parts=[("BAT-48V", "", "1")])
    lines = [(line.kind, line.amount, line.is_waiver, line.source) for line in quote.lines.all()]
    assert lines == [
        ("labour", D("200.00"), False, "schedule"),
        ("meals", D("50.00"), False, "schedule"),
        ("allowance", D("200.00"), False, "schedule"),
        ("parts", D("1280.00"), False, "price_list"),
        ("labour", D("-200.00"), True, "warranty"),
        ("parts", D("-1280.00"), True, "warranty"),
    ]
    assert (quote.subtotal, quote.waived, quote.total) == (D("1730.00"), D("1480.00"), D("250.00"))
