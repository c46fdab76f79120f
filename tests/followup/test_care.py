"""Customer care (客户关怀): birthdays, anniversaries, lunar festivals, weekly cadence and segments
through the outbox; opt-outs (all channels or one) skipped with the reason logged; quiet hours; the
weekly limit; a preview that writes nothing; a repeated daily run sends nothing twice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from customers.services import customer_update
from followup.care import care_opt_out, care_preview, care_run, festival_date
from followup.models import CareDelivery, CareRule
from notify.models import OutboxMessage

from .conftest import SH

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def test_lunar_festivals_fall_on_their_solar_dates() -> None:
    assert festival_date("spring", 2027) == date(2027, 2, 6)
    assert festival_date("mid_autumn", 2026) == date(2026, 9, 25)
    assert festival_date("dragon_boat", 2026) == date(2026, 6, 19)
    assert festival_date("national", 2026) == date(2026, 10, 1)


@pytest.fixture
def birthday_customer(customer_a: Any) -> Any:
    return customer_update(
        customer=customer_a, acting_user=None, changes={"birthday": date(1980, 3, 2), "email": "a@example.com"}
    )


def _only_birthday_rule() -> None:
    CareRule.objects.exclude(code="birthday").update(is_active=False)


def test_a_birthday_is_greeted_once_however_often_the_run_repeats(birthday_customer: Any) -> None:
    _only_birthday_rule()
    assert care_run(day=date(2026, 3, 2), now=MORNING) == {"queued": 1, "skipped": 0, "quiet": 0}
    assert care_run(day=date(2026, 3, 2), now=MORNING) == {"queued": 0, "skipped": 0, "quiet": 0}
    messages = OutboxMessage.objects.filter(template_key="wish_birthday", customer=birthday_customer)
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]
    assert care_run(day=date(2026, 3, 3), now=MORNING)["queued"] == 0  # not their birthday


def test_an_opted_out_customer_is_skipped_with_the_reason_logged(birthday_customer: Any) -> None:
    _only_birthday_rule()
    care_opt_out(customer=birthday_customer, reason="客户来电要求不再发送")
    assert care_run(day=date(2026, 3, 2), now=MORNING) == {"queued": 0, "skipped": 1, "quiet": 0}
    log = CareDelivery.objects.get()
    assert (log.status, log.reason) == ("skipped", "opted_out")
    assert not OutboxMessage.objects.filter(template_key="wish_birthday").exists()


def test_an_opt_out_of_one_channel_keeps_the_other(birthday_customer: Any) -> None:
    _only_birthday_rule()
    care_opt_out(customer=birthday_customer, channel="sms")
    care_run(day=date(2026, 3, 2), now=MORNING)
    assert list(OutboxMessage.objects.filter(template_key="wish_birthday").values_list("channel", flat=True)) == [
        "email"
    ]


def test_quiet_hours_send_nothing_and_the_weekly_limit_holds(birthday_customer: Any, settings: Any) -> None:
    assert care_run(day=date(2026, 3, 2), now=datetime(2026, 3, 2, 22, 0, tzinfo=SH))["quiet"] == 1
    assert not CareDelivery.objects.exists()
    settings.FOLLOWUP_CARE_WEEKLY_LIMIT = 1
    CareRule.objects.filter(code="tue-reminder").update(is_active=True, weekday=0)  # Mondays
    counts = care_run(day=date(2026, 3, 2), now=MORNING)
    assert counts["queued"] == 1 and counts["skipped"] == 1
    assert CareDelivery.objects.filter(reason="weekly_limit").count() == 1


def test_the_preview_shows_who_would_receive_what_and_writes_nothing(birthday_customer: Any, customer_b: Any) -> None:
    rule = CareRule.objects.create(
        code="new-e-bike",
        name="新品上市通知",
        kind="campaign",
        send_on=date(2026, 3, 2),
        template_key="wish_notice",
        segment_region="3301",
    )
    decisions = care_preview(rule, date(2026, 3, 2))
    assert [(d.customer.pk, d.send) for d in decisions] == [(birthday_customer.pk, True)]  # Hangzhou only
    assert not CareDelivery.objects.exists() and not OutboxMessage.objects.filter(template_key="wish_notice").exists()


def test_the_care_page_previews_and_shows_the_log(birthday_customer: Any, director: Any) -> None:
    from django.test import Client

    _only_birthday_rule()
    care_run(day=date(2026, 3, 2), now=MORNING)
    client = Client()
    client.force_login(director)
    page = client.get("/aftercare/care/?preview=birthday&day=2026-03-02").content.decode()
    assert 'id="care-preview"' in page and birthday_customer.name in page and "queued" in page


def test_a_purchase_anniversary_is_greeted_from_the_second_year_on(
    customer_a: Any, customer_b: Any, product_model: Any
) -> None:
    import time_machine

    from devices.services import device_create

    CareRule.objects.exclude(code="anniversary").update(is_active=False)
    # A purchase date may not lie in the future: record the purchases as of the greeting day.
    with time_machine.travel(MORNING, tick=False):
        _record_anniversary_purchases(device_create, customer_a, customer_b, product_model)
    assert care_run(day=date(2026, 3, 2), now=MORNING)["queued"] == 1
    assert list(CareDelivery.objects.values_list("customer_id", flat=True)) == [customer_a.pk]
    assert care_run(day=date(2026, 3, 2), now=MORNING)["queued"] == 0


def _record_anniversary_purchases(device_create: Any, customer_a: Any, customer_b: Any, product_model: Any) -> None:
    for customer, purchased_on, serial in (
        (customer_a, date(2023, 3, 2), "ANNIV-OLD"),  # three years ago today: greeted
        (customer_b, date(2026, 3, 2), "ANNIV-NEW"),  # bought today: not an anniversary yet
    ):
        device_create(
            acting_user=None,
            customer=customer,
            product_model=product_model,
            serial_number=serial,
            purchased_on=purchased_on,
        )


def test_a_leap_day_birthday_is_greeted_on_28_february_in_a_common_year(customer_a: Any, customer_b: Any) -> None:
    _only_birthday_rule()
    customer_update(customer=customer_a, acting_user=None, changes={"birthday": date(1984, 2, 29)})
    customer_update(customer=customer_b, acting_user=None, changes={"birthday": date(1990, 2, 28)})
    feb28 = datetime(2027, 2, 28, 10, 0, tzinfo=SH)
    assert care_run(day=date(2027, 2, 28), now=feb28)["queued"] == 2  # 2027 has no 29 February
    assert care_run(day=date(2028, 2, 28), now=feb28)["queued"] == 1  # 2028 has: only the 28th
    assert care_run(day=date(2028, 2, 29), now=feb28)["queued"] == 1
