"""The follow-up API beyond callbacks and complaints (issue 13, point 6): survey answers and their
results per technician and station, service-recovery tasks, care rules with their preview and
log, and quality (statistics, warnings, issue records and their steps). Bad input is refused
naming the field with nothing half-saved; a retried creation with the same Idempotency-Key does
not duplicate."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from customers.services import customer_update
from followup.care import care_opt_out
from followup.models import (
    CareDelivery,
    CareRule,
    QualityIssue,
    QualityIssueEvent,
    QualityWarning,
    RecoveryTask,
    Survey,
)
from followup.surveys import survey_answer, surveys_issue_due
from notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type=JSON, headers=headers)


def _fields(response: Any) -> set[str]:
    """The fields the uniform error body names."""
    return {error["field"] for error in response.json()["errors"]}


def _patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type=JSON)


@pytest.fixture
def answered(complete_on_site: Any, customer_a: Any) -> Survey:
    """An on-site repair rated 不满意 with 2 points: the survey and its recovery task."""
    complete_on_site(customer_a)
    surveys_issue_due()
    survey = Survey.objects.select_related("order").get()
    survey_answer(token=survey.token, satisfaction="unsatisfied", score=2, comment="等了三天")
    return survey


# --- surveys --------------------------------------------------------------------------------------


def test_survey_answers_are_listed_with_their_recovery_and_the_link(api_as: Any, agent: Any, answered: Survey) -> None:
    client = api_as(agent)
    listed = client.get("/api/v1/surveys?answered=true").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["work_order"]["number"] == answered.order.number
    assert (item["satisfaction"], item["score"], item["comment"]) == ("unsatisfied", 2, "等了三天")
    assert item["recovery"]["is_open"] is True
    assert client.get("/api/v1/surveys?answered=false").json()["count"] == 0
    assert client.get(f"/api/v1/surveys?work_order={answered.order_id}").json()["count"] == 1
    detail = client.get(f"/api/v1/surveys/{answered.pk}").json()
    assert detail["url"].endswith(f"/aftercare/survey/{answered.token}/")
    assert detail["editable_until"] is not None


def test_survey_results_per_technician_and_station(
    api_as: Any, director: Any, technician: Any, answered: Survey, complete_on_site: Any, customer_a: Any
) -> None:
    second = complete_on_site(customer_a)
    surveys_issue_due()
    survey_answer(token=Survey.objects.get(order=second).token, satisfaction="satisfied", score=5)
    client = api_as(director)
    by_technician = client.get("/api/v1/surveys/results?by=technician").json()
    assert by_technician["items"] == [
        {
            "id": technician.pk,
            "name": technician.get_full_name() or technician.get_username(),
            "issued": 2,
            "answered": 2,
            "satisfied": 1,
            "unsatisfied": 1,
            "low_scores": 1,
            "mean_score": 3.5,
        }
    ]
    by_station = client.get("/api/v1/surveys/results?by=station").json()["items"]
    assert [(row["id"], row["answered"]) for row in by_station] == [(answered.unit_id, 2)]


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [("by=customer", "by", 422), ("by=station&start=2026-03-05&end=2026-03-01", "end", 400)],
    ids=["unknown-dimension", "end-before-start"],
)
def test_survey_results_refuse_bad_input_naming_the_field(
    api_as: Any, director: Any, query: str, field: str, status: int
) -> None:
    response = api_as(director).get(f"/api/v1/surveys/results?{query}")
    assert response.status_code == status
    assert field in _fields(response)


# --- service recovery -----------------------------------------------------------------------------


def test_a_recovery_task_closes_once_with_what_was_done(api_as: Any, director: Any, answered: Survey) -> None:
    client = api_as(director)
    task = RecoveryTask.objects.get()
    url = f"/api/v1/recovery-tasks/{task.pk}/close"
    empty = _post(client, url, {"resolution": "  "})
    assert empty.status_code == 400 and "resolution" in _fields(empty)
    stale = _post(client, url, {"resolution": "上门致歉", "version": task.version + 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    task.refresh_from_db()
    assert task.is_open and task.resolution == ""  # nothing half-saved
    closed = _post(client, url, {"resolution": "主任上门致歉，免除上门费", "version": task.version})
    assert closed.status_code == 200
    body = closed.json()
    assert body["is_open"] is False and body["closed_by"]["id"] == director.pk and body["resolution"]
    again = _post(client, url, {"resolution": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert client.get("/api/v1/recovery-tasks?is_open=true").json()["count"] == 0
    assert client.get("/api/v1/recovery-tasks?is_open=false").json()["count"] == 1


# --- customer care ----------------------------------------------------------------------------------


def test_a_care_rule_is_created_once_per_idempotency_key(api_as: Any, director: Any) -> None:
    client = api_as(director)
    body = {
        "code": "spring-sale",
        "name": "春季保养活动",
        "kind": "campaign",
        "send_on": "2026-04-01",
        "template_key": "wish_notice",
        "segment_region": "3301",
    }
    first = _post(client, "/api/v1/care/rules", body, **{"Idempotency-Key": "rule-1"})
    again = _post(client, "/api/v1/care/rules", body, **{"Idempotency-Key": "rule-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert CareRule.objects.filter(code="spring-sale").count() == 1
    duplicate = _post(client, "/api/v1/care/rules", body)
    assert duplicate.status_code == 400 and "code" in _fields(duplicate)


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"kind": "weekly"}, "weekday", 400),
        ({"kind": "festival"}, "festival", 400),
        ({"kind": "campaign"}, "send_on", 400),
        ({"template_key": "no_such_message"}, "template_key", 400),
        ({"weekday": 7, "kind": "weekly"}, "weekday", 422),
        ({"segment_region": "33AB"}, "segment_region", 422),
        ({"kind": "monthly"}, "kind", 422),
    ],
    ids=[
        "weekly-without-weekday",
        "festival-without-festival",
        "campaign-without-date",
        "unknown-template",
        "weekday-7",
        "region-not-digits",
        "unknown-kind",
    ],
)
def test_a_care_rule_that_cannot_work_is_refused_naming_the_field(
    api_as: Any, director: Any, changes: dict[str, Any], field: str, status: int
) -> None:
    body = {"code": "x-rule", "name": "测试", "kind": "birthday", "template_key": "wish_birthday", **changes}
    response = _post(api_as(director), "/api/v1/care/rules", body)
    assert response.status_code == status, response.json()
    assert field in _fields(response)
    assert not CareRule.objects.filter(code="x-rule").exists()


def test_a_care_rule_changes_with_its_version(api_as: Any, director: Any) -> None:
    client = api_as(director)
    rule = CareRule.objects.get(code="sun-greeting")
    url = f"/api/v1/care/rules/{rule.pk}"
    on = _patch(client, url, {"is_active": True, "version": rule.version})
    assert on.status_code == 200 and on.json()["is_active"] is True and on.json()["version"] == rule.version + 1
    stale = _patch(client, url, {"weekday": 5, "version": rule.version})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad = _patch(client, url, {"weekday": None})
    assert bad.status_code == 400 and "weekday" in _fields(bad)
    rule.refresh_from_db()
    assert (rule.weekday, rule.is_active) == (6, True)


def test_the_preview_counts_who_would_receive_what_and_writes_nothing(
    api_as: Any, agent: Any, customer_a: Any, customer_b: Any
) -> None:
    for customer in (customer_a, customer_b):
        customer_update(customer=customer, acting_user=None, changes={"birthday": date(1990, 3, 2)})
    care_opt_out(customer=customer_b, reason="不要再发")
    rule = CareRule.objects.get(code="birthday")
    body = api_as(agent).get(f"/api/v1/care/rules/{rule.pk}/preview?day=2026-03-02").json()
    assert body["fires"] is True
    assert body["counts"] == {"send": 1, "already_done": 0, "opted_out": 1, "no_channel": 0, "weekly_limit": 0}
    by_customer = {item["customer"]["id"]: item for item in body["items"]}
    assert by_customer[customer_a.pk]["send"] is True and by_customer[customer_a.pk]["channels"] == ["sms"]
    assert by_customer[customer_b.pk]["reason"] == "opted_out"
    assert not CareDelivery.objects.exists() and not OutboxMessage.objects.filter(template_key="wish_birthday").exists()


def test_the_care_log_lists_the_run_and_an_opt_out_is_honoured_next_time(
    api_as: Any, agent: Any, customer_a: Any
) -> None:
    from datetime import datetime

    from followup.care import care_run

    from .conftest import SH

    customer_update(customer=customer_a, acting_user=None, changes={"birthday": date(1990, 3, 2)})
    CareRule.objects.exclude(code="birthday").update(is_active=False)
    client = api_as(agent)
    opt = _post(client, "/api/v1/care/opt-outs", {"customer": customer_a.pk, "channel": ""})
    assert opt.status_code == 201 and opt.json()["channel"] == ""
    care_run(day=date(2026, 3, 2), now=datetime(2026, 3, 2, 10, 0, tzinfo=SH))
    log = client.get("/api/v1/care/log?day=2026-03-02").json()
    assert log["count"] == 1
    assert (log["items"][0]["status"], log["items"][0]["reason"]) == ("skipped", "opted_out")
    unknown = _post(client, "/api/v1/care/opt-outs", {"customer": 10**9})
    assert unknown.status_code == 400 and "customer" in _fields(unknown)


# --- quality ----------------------------------------------------------------------------------------


@pytest.fixture
def warning(product_model: Any) -> QualityWarning:
    return QualityWarning.objects.create(
        product_model=product_model,
        window_start=date(2026, 2, 1),
        window_end=date(2026, 3, 2),
        observed=9,
        expected=1.5,
        devices_in_service=400,
        p_value=0.0001,
        test="poisson_upper_tail",
    )


def test_a_warning_opens_one_issue_and_a_major_one_reaches_the_hq_director(
    api_as: Any, director: Any, warning: QualityWarning, org: Any
) -> None:
    client = api_as(director)
    url = f"/api/v1/quality/warnings/{warning.pk}/issue"
    first = _post(client, url, {"route": "purchasing", "is_major": True})
    assert first.status_code == 201
    issue = first.json()
    assert (issue["warning"], issue["route"], issue["is_major"], issue["status"]) == (
        warning.pk,
        "purchasing",
        True,
        "open",
    )
    assert [event["kind"] for event in issue["timeline"]] == ["opened", "escalate"]
    again = _post(client, url, {})
    assert again.status_code == 200 and again.json()["id"] == issue["id"]
    assert client.get(f"/api/v1/quality/warnings/{warning.pk}").json()["issue"]["id"] == issue["id"]
    assert OutboxMessage.objects.filter(template_key="quality_major_issue", recipient_user=director).exists()
    queue = client.get("/api/v1/quality/issues?route=purchasing").json()
    assert [row["id"] for row in queue["items"]] == [issue["id"]]


def test_an_issue_steps_through_its_statuses_and_refuses_the_impossible(
    api_as: Any, director: Any, product_model: Any
) -> None:
    client = api_as(director)
    created = _post(
        client,
        "/api/v1/quality/issues",
        {"product_model": product_model.code, "title": "刹车异响", "evidence": "12 单"},
        **{"Idempotency-Key": "qi-1"},
    )
    replay = _post(
        client,
        "/api/v1/quality/issues",
        {"product_model": product_model.code, "title": "刹车异响", "evidence": "12 单"},
        **{"Idempotency-Key": "qi-1"},
    )
    assert created.status_code == replay.status_code == 201 and created.json()["id"] == replay.json()["id"]
    assert QualityIssue.objects.count() == 1
    url = f"/api/v1/quality/issues/{created.json()['id']}/transitions"
    assert _post(client, url, {"action": "investigate"}).json()["status"] == "investigating"
    no_note = _post(client, url, {"action": "close"})
    assert no_note.status_code == 400 and "note" in _fields(no_note)
    closed = _post(client, url, {"action": "close", "note": "供应商更换了刹车片配方"}).json()
    assert closed["status"] == "closed" and closed["resolution"] and closed["allowed_actions"] == ["reopen"]
    refused = _post(client, url, {"action": "investigate"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition" and refused.json()["allowed_actions"] == ["reopen"]
    reopened = _post(client, url, {"action": "reopen", "note": "又有 3 单"}).json()
    assert reopened["status"] == "investigating" and reopened["closed_at"] is None
    assert [e.kind for e in QualityIssueEvent.objects.order_by("id")] == [
        "opened",
        "investigate",
        "close",
        "reopen",
    ]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"product_model": "NO-SUCH", "title": "x"}, "product_model", 400),
        ({"title": " "}, "title", 400),
        ({"title": "x", "route": "sales"}, "route", 422),
        ({"title": "x", "affected_devices": [10**9]}, "affected_devices", 400),
    ],
    ids=["unknown-model", "blank-title", "unknown-route", "foreign-device"],
)
def test_a_quality_issue_with_bad_input_is_refused_naming_the_field(
    api_as: Any, director: Any, product_model: Any, body: dict[str, Any], field: str, status: int
) -> None:
    response = _post(api_as(director), "/api/v1/quality/issues", {"product_model": product_model.code, **body})
    assert response.status_code == status, response.json()
    assert field in _fields(response)
    assert not QualityIssue.objects.exists()


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("by=colour", "by", 422),
        ("by=model&start=2026-03-05&end=2026-03-01", "end", 400),
        ("by=model&start=1900-01-01&end=2026-03-01", "start", 400),
    ],
    ids=["unknown-dimension", "end-before-start", "period-too-long"],
)
def test_statistics_refuse_bad_input(api_as: Any, director: Any, query: str, field: str, status: int) -> None:
    response = api_as(director).get(f"/api/v1/quality/statistics?{query}")
    assert response.status_code == status and field in _fields(response)
