"""Faulty-part returns (旧件返还), trade-in (以旧换新) and spare units (备用机)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parts import services
from parts.models import FaultyReturn
from parts.selectors import faulty_returns_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_order(order_a):
    from workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=order_a.pk).update(charge_type="free")
    order_a.refresh_from_db()
    return order_a


def test_a_part_issued_under_warranty_is_expected_back_within_the_configured_days(settings, part, stocked, free_order):
    settings.PARTS_FAULTY_RETURN_DAYS = 10
    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=1, work_order=free_order)

    record = FaultyReturn.objects.get()
    assert (record.status, record.quantity, record.unit_id) == ("pending", 1, free_order.unit_id)
    assert record.due_on == timezone.localdate() + timedelta(days=10)


def test_a_paid_order_expects_no_faulty_part(part, stocked, order_a):
    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=1, work_order=order_a)
    assert not FaultyReturn.objects.exists()


def test_a_return_goes_received_inspected_then_supplier_with_a_claim_and_never_counts_on_hand(
    part, stocked, free_order, station_a_user
):
    from parts.selectors import balance_of

    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=1, work_order=free_order)
    record = FaultyReturn.objects.get()

    services.faulty_return_receive(acting_user=station_a_user, record=record, warehouse=stocked)
    assert balance_of(part=part, warehouse=stocked) == (9, 0, 0)
    with pytest.raises(ValidationError):
        services.faulty_return_close(acting_user=station_a_user, record=record, outcome="scrapped")
    services.faulty_return_inspect(acting_user=station_a_user, record=record, result="fault_confirmed")
    with pytest.raises(ValidationError) as error:
        services.faulty_return_close(acting_user=station_a_user, record=record, outcome="supplier")
    assert list(error.value.message_dict) == ["supplier_claim"]
    services.faulty_return_close(acting_user=station_a_user, record=record, outcome="supplier", supplier_claim="SC-1")

    record.refresh_from_db()
    assert (record.status, record.result, record.supplier_claim) == ("supplier", "fault_confirmed", "SC-1")


def test_overdue_returns_are_listed_per_station_and_hidden_from_the_other(
    part, stocked, free_order, station_a_user, station_b_user
):
    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=1, work_order=free_order)
    FaultyReturn.objects.update(due_on=timezone.localdate() - timedelta(days=1))

    assert faulty_returns_overdue(user=station_a_user).count() == 1
    assert faulty_returns_overdue(user=station_b_user).count() == 0


def test_a_trade_in_records_the_old_part_and_the_credit_on_the_timeline(part, order_a, station_a_user):
    record = services.trade_in_record(acting_user=station_a_user, order=order_a, part=part, quantity=1, credit="200")

    assert record.trade_in and str(record.credit) == "200.00" and record.status == "pending"
    assert order_a.events.filter(note="Trade-in: old BAT-48V × 1 taken back, credit 200.00").exists()


@pytest.fixture
def loaner(org, product_model):
    return services.loaner_create(
        acting_user=None, serial_number="LN-0001", product_model=product_model, unit=org.station_a
    )


def test_a_spare_unit_is_lent_against_an_order_once_and_returned_with_its_condition(loaner, order_a, station_a_user):
    due = timezone.localdate() + timedelta(days=3)
    loan = services.loaner_lend(acting_user=station_a_user, loaner=loaner, order=order_a, due_back=due)

    loaner.refresh_from_db()
    assert loaner.status == "lent"
    assert order_a.events.filter(kind="backup_unit").count() == 1
    with pytest.raises(ValidationError) as error:
        services.loaner_lend(acting_user=station_a_user, loaner=loaner, order=order_a, due_back=due)
    assert list(error.value.message_dict) == ["loaner"]

    services.loaner_return(acting_user=station_a_user, loan=loan, condition="worn")
    loaner.refresh_from_db()
    assert (loaner.status, loaner.condition) == ("available", "worn")
    assert list(loaner.loans.values_list("condition_on_return", flat=True)) == ["worn"]


def test_another_station_may_not_lend_the_pools_unit(loaner, order_a, station_b_user):
    with pytest.raises(ValidationError) as error:
        services.loaner_lend(
            acting_user=station_b_user, loaner=loaner, order=order_a, due_back=timezone.localdate() + timedelta(days=1)
        )
    assert list(error.value.message_dict) == ["loaner"]


def test_a_damaged_unit_leaves_the_pool(loaner, order_a):
    loan = services.loaner_lend(acting_user=None, loaner=loaner, order=order_a, due_back=timezone.localdate())
    services.loaner_return(acting_user=None, loan=loan, condition="damaged")
    loaner.refresh_from_db()
    assert loaner.status == "retired"


def test_an_overdue_spare_unit_alerts_the_pools_station_once_a_day(loaner, order_a, station_a_user):
    from notify.models import OutboxMessage
    from parts.reference import install_reference_data

    install_reference_data()
    loan = services.loaner_lend(acting_user=None, loaner=loaner, order=order_a, due_back=timezone.localdate())
    loan.due_back = timezone.localdate() - timedelta(days=2)
    loan.save(update_fields=["due_back"])

    assert services.loaners_overdue_alert() == 1
    services.loaners_overdue_alert()

    messages = OutboxMessage.objects.filter(template_key="loaner_overdue", recipient_user=station_a_user)
    assert messages.filter(channel="in_app").count() == 1
    assert "LN-0001" in messages.first().body


def test_the_returns_and_loaner_pages_show_the_stations_rows(client_as, station_a_user, loaner, part, order_a):
    services.trade_in_record(acting_user=None, order=order_a, part=part, quantity=1, credit="10")
    client = client_as(station_a_user)

    assert "BAT-48V" in client.get("/parts/returns/").content.decode()
    assert "LN-0001" in client.get("/parts/loaners/").content.decode()
    assert client.get(f"/parts/loaners/{loaner.pk}/").status_code == 200


def test_the_pages_lend_and_take_back_a_spare_unit_and_move_a_return_along(
    client_as, station_a_user, loaner, part, stocked, order_a
):
    from parts.models import LoanerLoan

    client = client_as(station_a_user)
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    client.post(f"/parts/loaners/{loaner.pk}/lend/", {"work_order": order_a.number, "due_back": due})
    assert LoanerLoan.objects.filter(loaner=loaner, returned_at__isnull=True).exists()
    client.post(f"/parts/loaners/{loaner.pk}/return/", {"condition": "good"})
    assert not LoanerLoan.objects.filter(loaner=loaner, returned_at__isnull=True).exists()

    record = services.trade_in_record(acting_user=None, order=order_a, part=part, quantity=1, credit="10")
    client.post(f"/parts/returns/{record.pk}/receive/", {"warehouse": "XH-01"})
    client.post(f"/parts/returns/{record.pk}/inspect/", {"result": "no_fault_found"})
    client.post(f"/parts/returns/{record.pk}/close/", {"outcome": "scrapped"})
    record.refresh_from_db()
    assert (record.status, record.result) == ("scrapped", "no_fault_found")
