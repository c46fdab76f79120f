"""Console pages for claims: list scoped by unit, checklist on the detail, answers, slip, buttons per role."""

from __future__ import annotations

from django.test import Client

from claims.models import Claim, ClaimRuleSet
from claims.services import claim_decide, claim_review_slip
from tests.claims.conftest import ELIGIBLE_ANSWERS, slip_file, speak_english
from workorders.services import workorder_create


def login(user):
    speak_english(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_station_b_cannot_see_station_a_claims_in_the_console(make_claim, customer_a, customer_b, station_b_user):
    claim_a = make_claim(customer_a)
    claim_b = make_claim(customer_b)
    client = login(station_b_user)
    listing = client.get("/claims/")
    assert listing.status_code == 200
    assert claim_b.number in listing.content.decode() and claim_a.number not in listing.content.decode()
    assert client.get(f"/claims/{claim_a.pk}/").status_code == 404
    assert client.post(f"/claims/{claim_a.pk}/decide/", {"version": 1}).status_code == 404


def test_detail_lists_each_rule_with_its_result_and_reason(make_claim, customer_a, agent):
    claim = make_claim(customer_a, answers={**ELIGIBLE_ANSWERS, "serial_altered": "yes", "outlet": None})
    claim_decide(claim=claim, acting_user=agent)
    page = login(agent).get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-code="f" data-result="failed"' in page
    assert 'data-code="4" data-result="unknown"' in page
    assert 'data-code="1" data-result="met"' in page
    assert "发现该假币到我们服务人员上门确认期间" in page or "serial number was altered" in page
    assert "The exclusion applies" in page


def test_create_then_record_answers_then_decide_in_the_console(agent, customer_a, device_a, rule_set):
    client = login(agent)
    response = client.post(
        "/claims/new/",
        {"rule_set": rule_set.pk, "customer": customer_a.pk, "device": device_a.pk, "claimed_amount": "300.00"},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    answers = {f"answers-{key}": value for key, value in ELIGIBLE_ANSWERS.items()}
    saved = client.post(f"/claims/{claim.pk}/answers/", {"answers-version": 1, **answers})
    assert saved.status_code == 302
    decided = client.post(f"/claims/{claim.pk}/decide/", {"version": 2})
    assert decided.status_code == 302
    claim.refresh_from_db()
    assert (claim.outcome, str(claim.payable_amount)) == ("eligible", "300.00")


def test_bad_amount_in_the_console_names_the_field(agent, customer_a, rule_set):
    response = login(agent).post(
        "/claims/new/", {"rule_set": rule_set.pk, "customer": customer_a.pk, "claimed_amount": "10.125"}
    )
    assert response.status_code == 400
    assert 'data-field="claimed_amount"' in response.content.decode()
    assert not Claim.objects.exists()


def test_double_submitted_create_form_makes_one_claim(agent, customer_a, rule_set):
    client = login(agent)
    data = {"rule_set": rule_set.pk, "customer": customer_a.pk, "claimed_amount": "20.00", "submission_token": "t-1"}
    first = client.post("/claims/new/", data)
    second = client.post("/claims/new/", data)
    assert first["Location"] == second["Location"]
    assert Claim.objects.count() == 1


def test_buttons_follow_the_role_and_payment_waits_for_the_slip(make_claim, customer_a, agent, finance, director):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    assert 'id="action-review"' in login(finance).get(f"/claims/{claim.pk}/").content.decode()
    assert 'id="action-review"' not in login(agent).get(f"/claims/{claim.pk}/").content.decode()
    refused = login(director).post(f"/claims/{claim.pk}/approve/", {"version": claim.version})
    assert refused.status_code == 409
    assert "Payment needs the bank&#x27;s slip reviewed first." in refused.content.decode()
    upload = login(agent).post(f"/claims/{claim.pk}/evidence/", {"kind": "bank_slip", "file": slip_file()})
    assert upload.status_code == 302
    claim_review_slip(claim=claim, acting_user=finance)
    page = login(director).get(f"/claims/{claim.pk}/").content.decode()
    assert 'id="action-approve"' in page
    evidence = claim.evidence.get()
    assert login(director).get(f"/claims/{claim.pk}/evidence/{evidence.pk}/").status_code == 200


def test_bad_upload_is_refused_naming_the_file(make_claim, customer_a, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = make_claim(customer_a)
    bogus = SimpleUploadedFile("slip.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = login(agent).post(f"/claims/{claim.pk}/evidence/", {"kind": "bank_slip", "file": bogus})
    assert response.status_code == 400
    assert not claim.evidence.exists()


def test_order_panel_shows_the_claims_of_a_claim_order(agent, customer_a, device_a, make_claim):
    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="claim",
        channel="phone",
        description="假币",
    )
    claim = make_claim(customer_a, work_order=order)
    page = login(agent).get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="claims-panel"' in page and claim.number in page


def test_rule_set_pages_and_new_version_editor(director, agent, rule_set):
    client = login(director)
    assert "清分机假币赔付" in client.get("/claims/rule-sets/").content.decode()
    detail = client.get(f"/claims/rule-sets/{rule_set.pk}/").content.decode()
    assert "代理商售后私自赔付的不予赔偿" in detail
    editor = client.get(f"/claims/rule-sets/{rule_set.pk}/new-version/")
    assert editor.status_code == 200
    rules = list(rule_set.rules.order_by("position"))
    data = {
        "name": "清分机假币赔付",
        "effective_from": "2026-01-01",
        "payout_ratio": "1",
        "max_amount": "5000.00",
        "required_documents": ["bank_slip"],
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, rule in enumerate(rules):
        data.update(
            {
                f"rules-{index}-kind": rule.kind,
                f"rules-{index}-code": rule.code,
                f"rules-{index}-text_zh": rule.text_zh,
                f"rules-{index}-text_en": rule.text_en,
                f"rules-{index}-question": rule.question,
                f"rules-{index}-expected": ", ".join(rule.expected),
            }
        )
    data["rules-6-DELETE"] = "on"  # drop exclusion c
    response = client.post(f"/claims/rule-sets/{rule_set.pk}/new-version/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ClaimRuleSet.objects.get(code="COUNTERFEIT", version=2)
    assert str(v2.max_amount) == "5000.00"
    assert "c" not in set(v2.rules.values_list("code", flat=True)) and v2.rules.count() == 10
    assert login(agent).get(f"/claims/rule-sets/{rule_set.pk}/new-version/").status_code == 403


def test_claim_list_query_count_does_not_grow_with_rows(make_claim, customer_a, agent, django_assert_max_num_queries):
    for _ in range(3):
        make_claim(customer_a)
    client = login(agent)
    client.get("/claims/")  # warm the permission caches
    with django_assert_max_num_queries(12) as few:
        client.get("/claims/")
    for _ in range(10):
        make_claim(customer_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/claims/")
    assert response.content.decode().count('href="/claims/') >= 13
