"""The pure pricing rules (billing.policies): no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.choices import LineSource, RateUnit
from billing.policies import PartItem, QuoteInput, RateTerm, WaiverTerm, money, quote_price

D = Decimal
SEED_RATES = {
    "travel": RateTerm("travel", RateUnit.ACTUAL, None, True),
    "lodging": RateTerm("lodging", RateUnit.PER_DAY, D("200.00"), True),
    "meals": RateTerm("meals", RateUnit.PER_DAY, D("50.00"), True),
    "allowance": RateTerm("allowance", RateUnit.PER_DAY, D("200.00"), False),
    "labour": RateTerm("labour", RateUnit.PER_HOUR, D("100.00"), False),
}


def test_seed_fee_example_two_days_on_site_with_train_fare_prices_each_line_and_the_total() -> None:
    decision = quote_price(
        rates=SEED_RATES,
        inputs=QuoteInput(days=D("2"), nights=D("1"), travel_cost=D("356.50")),
    )
    assert [(line.kind, line.quantity, line.unit_price, line.amount) for line in decision.lines] == [
        ("travel", D("1"), D("356.50"), D("356.50")),
        ("lodging", D("1"), D("200.00"), D("200.00")),
        ("meals", D("2"), D("50.00"), D("100.00")),
        ("allowance", D("2"), D("200.00"), D("400.00")),
    ]
    assert decision.total == D("1056.50")
    assert decision.waived == D("0.00")
    assert [reason.rule for reason in decision.reasons] == [
        "travel.actual",
        "lodging.rate",
        "meals.rate",
        "allowance.rate",
    ]


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        pytest.param(D("0.5"), D("0.05"), D("0.03"), id="half-cent-rounds-up-not-to-even"),
        pytest.param(D("0.33"), D("33.33"), D("11.00"), id="10.9989-rounds-to-11.00"),
        pytest.param(D("3"), D("0.01"), D("0.03"), id="exact"),
    ],
)
def test_each_line_is_quantity_times_price_rounded_half_up_to_the_cent(
    quantity: Decimal, price: Decimal, expected: Decimal
) -> None:
    part = PartItem("垫片", quantity, price, LineSource.PRICE_LIST, code="X")
    decision = quote_price(rates=SEED_RATES, inputs=QuoteInput(parts=(part,)))
    assert decision.lines[0].amount == expected
    assert decision.total == expected
    assert money(D("2.675")) == D("2.68")


def test_fees_provided_by_the_customer_are_zero_lines_with_the_remark() -> None:
    decision = quote_price(
        rates=SEED_RATES,
        inputs=QuoteInput(days=D("2"), nights=D("1"), provided_by_customer=frozenset({"lodging", "meals"})),
    )
    lodging, meals, allowance = decision.lines
    assert (lodging.amount, lodging.provided_by_customer) == (D("0.00"), True)
    assert (meals.amount, meals.provided_by_customer) == (D("0.00"), True)
    assert allowance.amount == D("400.00")
    assert decision.total == D("400.00")


def test_the_allowance_cannot_be_provided_by_the_customer() -> None:
    with pytest.raises(ValueError, match="cannot be provided by the customer"):
        quote_price(rates=SEED_RATES, inputs=QuoteInput(days=D("1"), provided_by_customer=frozenset({"allowance"})))


def test_a_waiver_is_a_separate_negative_line_cancelling_its_fee_kind() -> None:
    part = PartItem("电机", D("1"), D("900.00"), LineSource.PRICE_LIST, code="MOTOR")
    decision = quote_price(
        rates=SEED_RATES,
        inputs=QuoteInput(days=D("1"), hours=D("2"), parts=(part,)),
        waivers=[
            WaiverTerm("parts", "warranty", "整机保修", "在保修期内：配件免费"),
            WaiverTerm("labour", "contract", "年度维保合同", "合同覆盖工时"),
            WaiverTerm("software", "contract", "年度维保合同", "没有此项费用，不出现"),
        ],
    )
    waivers = [line for line in decision.lines if line.is_waiver]
    assert [(w.kind, w.amount, w.source) for w in waivers] == [
        ("parts", D("-900.00"), LineSource.WARRANTY),
        ("labour", D("-200.00"), LineSource.CONTRACT),
    ]
    assert decision.subtotal == D("1350.00")  # 200 labour + 50 meals + 200 allowance + 900 part
    assert decision.waived == D("1100.00")
    assert decision.total == D("250.00")


def test_a_part_without_purchasing_price_leaves_the_quote_incomplete() -> None:
    part = PartItem("控制器主板", D("1"), None, LineSource.PURCHASE, purchase_request_id=7)
    decision = quote_price(rates=SEED_RATES, inputs=QuoteInput(parts=(part,)))
    assert decision.complete is False
    assert decision.lines[0].amount is None
    assert decision.total == D("0.00")
