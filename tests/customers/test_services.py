from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import VersionConflict
from customers.selectors import customer_lookup, customer_search, customers_visible_to
from customers.services import contact_add, customer_create, customer_update


def test_address_is_parsed_into_province_city_district(agent):
    customer = customer_create(
        acting_user=agent, name="李四", phone="13900000001", address="浙江省杭州市西湖区文三路100号"
    )
    assert (customer.province, customer.city, customer.district) == ("浙江省", "杭州市", "西湖区")
    assert customer.adcode == "330106"


def test_unit_is_the_most_specific_covering_unit(org, agent):
    west_lake = customer_create(
        acting_user=agent, name="王五", phone="13900000002", address="浙江省杭州市西湖区文三路1号"
    )
    hangzhou = customer_create(
        acting_user=agent, name="赵六", phone="13900000003", address="浙江省杭州市拱墅区湖墅南路1号"
    )
    haidian = customer_create(acting_user=agent, name="钱七", phone="13900000004", address="北京市海淀区中关村大街1号")
    assert west_lake.unit == org.station_a
    assert hangzhou.unit == org.centre
    assert haidian.unit == org.station_b


def test_address_outside_every_coverage_goes_to_the_users_own_unit(org, agent, station_a_user):
    by_hq = customer_create(
        acting_user=agent, name="孙八", phone="13900000005", address="广东省广州市天河区体育西路1号"
    )
    by_station = customer_create(
        acting_user=station_a_user, name="周九", phone="13900000006", address="广东省广州市天河区体育西路2号"
    )
    assert by_hq.unit == org.hq
    assert by_station.unit == org.station_a


def test_station_cannot_file_a_customer_under_another_station(org, station_a_user):
    with pytest.raises(ValidationError) as error:
        customer_create(acting_user=station_a_user, name="吴十", phone="13900000007", unit=org.station_b)
    assert "unit" in error.value.message_dict


def test_station_creating_a_customer_in_a_foreign_area_keeps_it_in_its_own_unit(org, station_a_user):
    customer = customer_create(
        acting_user=station_a_user, name="郑十一", phone="13900000008", address="北京市海淀区中关村大街2号"
    )
    assert customer.district == "海淀区"
    assert customer.unit == org.station_a


def test_missing_name_is_refused_naming_the_field(agent):
    with pytest.raises(ValidationError) as error:
        customer_create(acting_user=agent, name="  ", phone="13900000009")
    assert list(error.value.message_dict) == ["name"]


def test_invalid_email_is_refused_naming_the_field(agent):
    with pytest.raises(ValidationError) as error:
        customer_create(acting_user=agent, name="陈一", phone="13900000010", email="not-an-email")
    assert list(error.value.message_dict) == ["email"]


def test_technician_may_not_create_customers(technician):
    with pytest.raises(PermissionDenied):
        customer_create(acting_user=technician, name="陈二", phone="13900000011")


@pytest.mark.parametrize(
    "query",
    ["张三丰", "三丰", "zhangsanfeng", "zsf", "ZSF", "13800138000", "文三路"],
    ids=["chinese-name", "chinese-word", "full-pinyin", "initials", "initials-upper", "phone", "address-word"],
)
def test_search_finds_customer_by_chinese_pinyin_initials_and_phone(agent, customer_a, customer_b, query):
    assert list(customer_search(user=agent, query=query)) == [customer_a]


def test_search_by_contact_name_pinyin(agent, customer_b):
    contact_add(customer=customer_b, acting_user=agent, name="刘备", phone="13700000000")
    assert list(customer_search(user=agent, query="liubei")) == [customer_b]
    assert list(customer_search(user=agent, query="lb")) == [customer_b]


def test_update_reparses_the_address_and_moves_the_unit(org, agent, customer_a):
    customer = customer_update(
        customer=customer_a,
        acting_user=agent,
        changes={"address": "北京市海淀区学院路5号"},
        expected_version=customer_a.version,
    )
    assert (customer.province, customer.district) == ("北京市", "海淀区")
    assert customer.unit == org.station_b
    assert customer.version == customer_a.version + 1


def test_stale_version_is_refused_and_nothing_changes(agent, customer_a):
    customer_update(customer=customer_a, acting_user=agent, changes={"notes": "first"}, expected_version=1)
    with pytest.raises(VersionConflict) as conflict:
        customer_update(customer=customer_a, acting_user=agent, changes={"notes": "second"}, expected_version=1)
    assert conflict.value.current_version == 2
    customer_a.refresh_from_db()
    assert customer_a.notes == "first"


def test_station_sees_only_its_own_customers(station_a_user, station_b_user, customer_a, customer_b):
    assert list(customers_visible_to(station_a_user)) == [customer_a]
    assert list(customers_visible_to(station_b_user)) == [customer_b]


def test_lookup_is_scoped_and_needs_a_query(station_b_user, customer_a, customer_b):
    assert customer_lookup(user=station_b_user, query="") == []
    assert customer_lookup(user=station_b_user, query="zsf") == []
    assert customer_lookup(user=station_b_user, query="北京") == [customer_b]


def test_phones_typed_with_spaces_and_dashes_are_kept_as_digits(org):
    from customers.services import customer_create
    from workorders.selectors import workorder_for_tracking
    from workorders.services import workorder_create

    customer = customer_create(acting_user=None, name="赵六", phone="138 0013-9000", address="浙江省杭州市西湖区")
    assert customer.phone == "13800139000"
    order = workorder_create(
        acting_user=None,
        customer=customer,
        service_type="repair",
        channel="phone",
        description="无法开机",
        contact_phone="+86 138 0013 9000",
    )
    assert workorder_for_tracking(number=order.number, phone="13800139000") == order
