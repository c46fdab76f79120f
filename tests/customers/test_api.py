from __future__ import annotations

import json

import pytest

from customers.models import Contact, Customer

URL = "/api/v1/customers"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def test_create_returns_201_with_id_and_parsed_region(api_as, agent, org):
    response = post(
        api_as(agent),
        URL,
        {
            "name": "张无忌",
            "phone": "13800001111",
            "address": "浙江省杭州市西湖区文三路200号",
            "birthday": "1988-02-29",
            "tags": "VIP",
            "kind": "person",
        },
    )
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (body["province"], body["city"], body["district"]) == ("浙江省", "杭州市", "西湖区")
    assert body["unit"] == {"id": org.station_a.pk, "code": "HZ-XH", "name": "西湖特约维修站"}
    assert body["birthday"] == "1988-02-29" and customer.name == "张无忌"
    assert body["contacts"] == [] and body["device_ids"] == []


def test_idempotency_key_replays_the_same_customer(api_as, agent, org):
    client = api_as(agent)
    payload = {"name": "周芷若", "phone": "13800002222"}
    first = post(client, URL, payload, HTTP_IDEMPOTENCY_KEY="cust-1")
    second = post(client, URL, payload, HTTP_IDEMPOTENCY_KEY="cust-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Customer.objects.filter(name="周芷若").count() == 1


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"phone": "13800000000"}, "name", 422),
        ({"name": "x"}, "phone", 422),
        ({"name": "", "phone": "13800000000"}, "name", 400),
        ({"name": "x", "phone": "13800000000", "kind": "alien"}, "kind", 400),
        ({"name": "x", "phone": "13800000000", "email": "nope"}, "email", 400),
        ({"name": "x", "phone": "13800000000", "birthday": "1990-13-01"}, "birthday", 422),
        ({"name": "x", "phone": "13800000000", "birthday": 19900101}, "birthday", 422),
        ({"name": ["x"], "phone": "13800000000"}, "name", 422),
        ({"name": "x" * 101, "phone": "13800000000"}, "name", 422),
        ({"name": "x", "phone": "13800000000", "payment_standing": "rich"}, "payment_standing", 400),
    ],
    ids=[
        "no-name",
        "no-phone",
        "empty-name",
        "bad-kind",
        "bad-email",
        "bad-date",
        "date-as-number",
        "name-list",
        "name-too-long",
        "bad-standing",
    ],
)
def test_bad_input_is_refused_naming_the_field(api_as, agent, org, payload, field, status):
    response = post(api_as(agent), URL, payload)
    assert response.status_code == status
    assert field in fields(response)
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", ""], ids=["malformed", "array", "empty"])
def test_malformed_body_is_a_4xx(api_as, agent, org, raw):
    response = api_as(agent).post(URL, raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_list_searches_by_pinyin_initials_and_paginates(api_as, agent, customer_a, customer_b):
    client = api_as(agent)
    body = client.get(URL, {"q": "zsf"}).json()
    assert body["count"] == 1 and [item["id"] for item in body["items"]] == [customer_a.pk]
    page = client.get(URL, {"page": 2, "page_size": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    organisations = client.get(URL, {"kind": "organisation"}).json()
    assert [item["id"] for item in organisations["items"]] == [customer_b.pk]


@pytest.mark.parametrize(
    "query", [{"page": 0}, {"page_size": 500}, {"page": "x"}, {"kind": "alien"}], ids=["page0", "big", "nan", "kind"]
)
def test_list_bad_parameters_are_4xx(api_as, agent, org, query):
    response = api_as(agent).get(URL, query)
    assert response.status_code in (400, 422)
    assert set(query) <= fields(response)


def test_detail_has_contacts_and_device_ids(api_as, agent, customer_a, device_a):
    client = api_as(agent)
    contact = post(
        client, f"{URL}/{customer_a.pk}/contacts", {"name": "张翠山", "phone": "13700000000", "title": "父亲"}
    )
    assert contact.status_code == 201
    body = client.get(f"{URL}/{customer_a.pk}").json()
    assert body["device_ids"] == [device_a.pk]
    assert [c["name"] for c in body["contacts"]] == ["张翠山"]


def test_add_contact_bad_input_names_the_field(api_as, agent, customer_a):
    response = post(api_as(agent), f"{URL}/{customer_a.pk}/contacts", {"name": "张翠山", "phone": ""})
    assert response.status_code == 400 and fields(response) == {"phone"}
    assert not Contact.objects.exists()


def test_patch_with_version_updates_and_reparses(api_as, agent, customer_a, org):
    response = patch(api_as(agent), f"{URL}/{customer_a.pk}", {"version": 1, "address": "北京市海淀区学院路1号"})
    assert response.status_code == 200
    body = response.json()
    assert (body["district"], body["unit"]["id"], body["version"]) == ("海淀区", org.station_b.pk, 2)


def test_patch_with_a_stale_version_is_409(api_as, agent, customer_a):
    client = api_as(agent)
    assert patch(client, f"{URL}/{customer_a.pk}", {"version": 1, "notes": "one"}).status_code == 200
    response = patch(client, f"{URL}/{customer_a.pk}", {"version": 1, "notes": "two"})
    assert response.status_code == 409
    assert "version" in fields(response) and response.json()["current_version"] == 2
    customer_a.refresh_from_db()
    assert customer_a.notes == "one"


def test_patch_without_version_is_refused(api_as, agent, customer_a):
    response = patch(api_as(agent), f"{URL}/{customer_a.pk}", {"notes": "x"})
    assert response.status_code == 422 and "version" in fields(response)


def test_patch_null_name_is_refused_naming_the_field(api_as, agent, customer_a):
    response = patch(api_as(agent), f"{URL}/{customer_a.pk}", {"version": 1, "name": None})
    assert response.status_code == 400 and fields(response) == {"name"}


def test_unknown_and_huge_ids_are_404(api_as, agent, org):
    client = api_as(agent)
    assert client.get(f"{URL}/999999").status_code == 404
    assert client.get(f"{URL}/99999999999999999999999").status_code in (404, 422)


def test_other_station_cannot_fetch_list_or_patch_the_customer(api_as, station_b_user, customer_a, customer_b):
    client = api_as(station_b_user)
    assert client.get(f"{URL}/{customer_a.pk}").status_code == 404
    assert patch(client, f"{URL}/{customer_a.pk}", {"version": 1, "notes": "x"}).status_code == 404
    assert post(client, f"{URL}/{customer_a.pk}/contacts", {"name": "x", "phone": "1"}).status_code == 404
    assert [item["id"] for item in client.get(URL).json()["items"]] == [customer_b.pk]


def test_technician_may_not_create(api_as, technician):
    assert post(api_as(technician), URL, {"name": "x", "phone": "1"}).status_code == 403


def test_anonymous_is_401(client, db):
    assert client.get(URL).status_code == 401


def test_a_customers_language_for_messages_is_set_and_checked(api_as, agent, org):
    client = api_as(agent)
    created = client.post(
        "/api/v1/customers",
        {"name": "Acme Ltd", "phone": "13900001111", "language": "en"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["language"] == "en"

    refused = client.post(
        "/api/v1/customers",
        {"name": "Acme Ltd", "phone": "13900002222", "language": "fr"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["language"]
