"""Follow-up's permission matrix (ADR 0017): every console page and API endpoint by role, and by
unit — a callback and a complaint of customer A belong to station A; station B sees neither."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.choices import Role
from customers.services import customer_update
from followup.care import care_run
from followup.models import (
    CallbackAttempt,
    CallbackSample,
    CallbackTask,
    CareOptOut,
    CareRule,
    Complaint,
    QualityIssue,
    QualityWarning,
    RecoveryTask,
    Survey,
)
from followup.quality import quality_issue_create
from followup.services import callback_queue_refresh, callback_sample_draw, complaint_create
from followup.surveys import survey_answer, surveys_issue_due
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Fixtures, Matrix, Page

VIEW_CALLBACKS = frozenset({Role.AGENT, Role.DIRECTOR, Role.STATION, Role.ADMIN})
DRAW = frozenset({Role.DIRECTOR, Role.ADMIN})
VIEW_COMPLAINTS = frozenset({Role.AGENT, Role.DIRECTOR, Role.STATION, Role.DISPATCHER, Role.ADMIN})
ADD_COMPLAINT = frozenset({Role.AGENT, Role.DIRECTOR, Role.STATION, Role.ADMIN})
HANDLE = frozenset({Role.AGENT, Role.DIRECTOR, Role.ADMIN})
CARE = HANDLE
CARE_EDIT = frozenset({Role.DIRECTOR, Role.ADMIN})
VIEW_SURVEYS = frozenset({Role.AGENT, Role.DIRECTOR, Role.STATION, Role.ADMIN})
VIEW_RECOVERY = HANDLE
CLOSE_RECOVERY = frozenset({Role.DIRECTOR, Role.ADMIN})
QUALITY = frozenset({Role.DIRECTOR, Role.ADMIN})


@pytest.fixture
def callback(complete_on_site: Any, customer_a: Any) -> CallbackTask:
    """A callback owed to customer A (station A's area) after an on-site repair."""
    complete_on_site(customer_a)
    callback_queue_refresh()
    return CallbackTask.objects.select_related("order").get()


@pytest.fixture
def sample(callback: CallbackTask, director: Any) -> CallbackSample:
    day = callback.visit_at.date()
    return callback_sample_draw(
        unit=callback.unit, period_start=day, period_end=day, acting_user=director, share=Decimal("1")
    )


@pytest.fixture
def complaint(agent: Any, customer_a: Any) -> Complaint:
    return complaint_create(acting_user=agent, customer=customer_a, description="师傅迟到两个小时。", channel="phone")


@pytest.fixture
def survey(complete_on_site: Any, customer_a: Any) -> Survey:
    """The survey of an on-site repair of customer A (station A's area)."""
    complete_on_site(customer_a)
    surveys_issue_due()
    return Survey.objects.select_related("order").get()


@pytest.fixture
def recovery(survey: Survey) -> RecoveryTask:
    survey_answer(token=survey.token, satisfaction="unsatisfied", score=1, comment="师傅态度差")
    return RecoveryTask.objects.select_related("order").get()


@pytest.fixture
def care_rule() -> CareRule:
    return CareRule.objects.get(code="birthday")


@pytest.fixture
def care_logged(customer_a: Any) -> Any:
    """Customer A greeted on their birthday (a care-log row of station A's customer)."""
    customer_update(customer=customer_a, acting_user=None, changes={"birthday": date(1980, 3, 2)})
    care_run(day=date(2026, 3, 2), now=datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    return customer_a


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


@pytest.fixture
def quality_issue(product_model: Any, director: Any) -> QualityIssue:
    return quality_issue_create(acting_user=director, product_model=product_model, title="控制器批量烧毁")


def _call(f: Any) -> dict[str, Any]:
    return {"outcome": "wrong_number", "version": f.callback.version}


def _complaint_body(f: Any) -> dict[str, Any]:
    return {"customer": f.customer_a.pk, "description": "电话一直打不通", "channel": "phone"}


# Probes (ADR 0017): what each write changes, read before and after — a refusal leaves it.
def calls(f: Fixtures) -> tuple[int, int]:
    return CallbackAttempt.objects.filter(task=f.callback).count(), CallbackTask.objects.get(pk=f.callback.pk).version


def samples(f: Fixtures) -> int:
    return CallbackSample.objects.count()


def complaints(f: Fixtures) -> int:
    return Complaint.objects.count()


def complaint_state(f: Fixtures) -> tuple[str, int]:
    complaint = Complaint.objects.get(pk=f.complaint.pk)
    return complaint.status, complaint.version


def recovery_state(f: Fixtures) -> tuple[Any, int]:
    task = RecoveryTask.objects.get(pk=f.recovery.pk)
    return task.closed_at, task.version


def care_rules(f: Fixtures) -> int:
    return CareRule.objects.count()


def care_rule_version(f: Fixtures) -> int:
    return CareRule.objects.get(pk=f.care_rule.pk).version


def opt_outs(f: Fixtures) -> int:
    return CareOptOut.objects.count()


def quality_issues(f: Fixtures) -> int:
    return QualityIssue.objects.count()


def quality_issue_state(f: Fixtures) -> tuple[str, int]:
    issue = QualityIssue.objects.get(pk=f.quality_issue.pk)
    return issue.status, issue.version


MATRIX = Matrix(
    pages=[
        Page(
            "callbacks",
            "/aftercare/callbacks/",
            VIEW_CALLBACKS,
            other_unit=HIDES,
            shows="{callback.order.number}",
            fixtures=("callback",),
        ),
        Page("callback", "/aftercare/callbacks/{callback.pk}/", VIEW_CALLBACKS, other_unit=NOT_FOUND),
        Page(
            "callback_call",
            "/aftercare/callbacks/{callback.pk}/call/",
            VIEW_CALLBACKS,
            method="POST",
            body=_call,
            status=302,
            other_unit=NOT_FOUND,
            unchanged=calls,
        ),
        Page(
            "sample_draw",
            "/aftercare/callbacks/samples/draw/",
            DRAW,
            method="POST",
            body=lambda f: {"unit": f.org.station_a.pk, "period_start": "2026-03-01", "period_end": "2026-03-31"},
            status=302,
            unchanged=samples,
        ),
        Page("sample", "/aftercare/callbacks/samples/{sample.pk}/", VIEW_CALLBACKS, other_unit=NOT_FOUND),
        Page(
            "complaints",
            "/aftercare/complaints/",
            VIEW_COMPLAINTS,
            other_unit=HIDES,
            shows="{complaint.number}",
            fixtures=("complaint",),
        ),
        Page("complaint_create", "/aftercare/complaints/new/", ADD_COMPLAINT),
        Page(
            "complaint_create_post",
            "/aftercare/complaints/new/",
            ADD_COMPLAINT,
            method="POST",
            body=_complaint_body,
            status=302,
            other_unit=NOT_FOUND,
            not_found=400,  # station B does not know customer A: "unknown customer" on the form
            unchanged=complaints,
        ),
        Page("care", "/aftercare/care/?preview=birthday", CARE, shows="生日祝福"),
        Page("quality", "/aftercare/quality/", frozenset({Role.DIRECTOR, Role.ADMIN})),
        Page("complaint_report", "/aftercare/complaints/report/?month=2026-03", VIEW_COMPLAINTS),
        Page("complaint", "/aftercare/complaints/{complaint.pk}/", VIEW_COMPLAINTS, other_unit=NOT_FOUND),
        Page(
            "complaint_action",
            "/aftercare/complaints/{complaint.pk}/acknowledge/",
            HANDLE,
            method="POST",
            body={},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=complaint_state,
        ),
    ],
    endpoints=[
        Endpoint(
            "callbacks",
            "/api/v1/callbacks",
            VIEW_CALLBACKS,
            denied=200,
            other_unit=HIDES,
            shows="{callback.order.number}",
            fixtures=("callback",),
        ),
        Endpoint("callback", "/api/v1/callbacks/{callback.pk}", VIEW_CALLBACKS, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "callback_call",
            "/api/v1/callbacks/{callback.pk}/calls",
            VIEW_CALLBACKS,
            method="POST",
            body=_call,
            denied=404,
            other_unit=NOT_FOUND,
            unchanged=calls,
        ),
        Endpoint(
            "sample_draw",
            "/api/v1/callbacks/samples",
            DRAW,
            method="POST",
            body=lambda f: {"unit": f.org.station_a.pk, "period_start": "2026-03-01", "period_end": "2026-03-31"},
            status=201,
            denied=403,
            unchanged=samples,
        ),
        Endpoint("sample", "/api/v1/callbacks/samples/{sample.pk}", VIEW_CALLBACKS, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "complaint_create",
            "/api/v1/complaints",
            ADD_COMPLAINT,
            method="POST",
            body=_complaint_body,
            status=201,
            denied=403,
            unchanged=complaints,
        ),
        Endpoint(
            "complaints",
            "/api/v1/complaints",
            VIEW_COMPLAINTS,
            denied=200,
            other_unit=HIDES,
            shows="{complaint.number}",
            fixtures=("complaint",),
        ),
        Endpoint("complaint_report", "/api/v1/complaints/report?month=2026-03", VIEW_COMPLAINTS, denied=200),
        Endpoint("complaint", "/api/v1/complaints/{complaint.pk}", VIEW_COMPLAINTS, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "complaint_transition",
            "/api/v1/complaints/{complaint.pk}/transitions",
            HANDLE,
            method="POST",
            body={"action": "acknowledge"},
            denied=403,
            other_unit=NOT_FOUND,
            unchanged=complaint_state,
        ),
        # surveys, service recovery, care, quality
        Endpoint(
            "surveys",
            "/api/v1/surveys",
            VIEW_SURVEYS,
            denied=200,
            other_unit=HIDES,
            shows="{survey.order.number}",
        ),
        Endpoint(
            "survey_results",
            "/api/v1/surveys/results?by=station",
            VIEW_SURVEYS,
            denied=200,
            other_unit=HIDES,
            shows="{org.station_a.name}",
            fixtures=("survey",),
        ),
        Endpoint("survey", "/api/v1/surveys/{survey.pk}", VIEW_SURVEYS, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "recovery_tasks",
            "/api/v1/recovery-tasks",
            VIEW_RECOVERY,
            denied=200,
            other_unit=HIDES,
            shows="{recovery.order.number}",
        ),
        Endpoint(
            "recovery_task", "/api/v1/recovery-tasks/{recovery.pk}", VIEW_RECOVERY, denied=404, other_unit=NOT_FOUND
        ),
        Endpoint(
            "recovery_close",
            "/api/v1/recovery-tasks/{recovery.pk}/close",
            CLOSE_RECOVERY,
            method="POST",
            body={"resolution": "主任上门致歉，免除上门费"},
            denied=403,
            other_unit=NOT_FOUND,
            unchanged=recovery_state,
        ),
        Endpoint("care_rules", "/api/v1/care/rules", CARE, denied=200, shows="生日祝福"),
        Endpoint(
            "care_rule_create",
            "/api/v1/care/rules",
            CARE_EDIT,
            method="POST",
            body={
                "code": "spring-sale",
                "name": "春季保养活动",
                "kind": "campaign",
                "send_on": "2026-04-01",
                "template_key": "wish_notice",
            },
            status=201,
            denied=403,
            unchanged=care_rules,
        ),
        Endpoint("care_rule", "/api/v1/care/rules/{care_rule.pk}", CARE, denied=404),
        Endpoint(
            "care_rule_update",
            "/api/v1/care/rules/{care_rule.pk}",
            CARE_EDIT,
            method="PATCH",
            body={"days_before": 1},
            denied=403,
            unchanged=care_rule_version,
        ),
        Endpoint("care_preview", "/api/v1/care/rules/{care_rule.pk}/preview?day=2026-03-02", CARE, denied=404),
        Endpoint(
            "care_log",
            "/api/v1/care/log",
            CARE,
            denied=200,
            other_unit=HIDES,
            shows="{care_logged.name}",
        ),
        Endpoint(
            "care_opt_out",
            "/api/v1/care/opt-outs",
            HANDLE,
            method="POST",
            body=lambda f: {"customer": f.customer_a.pk, "channel": "sms"},
            status=201,
            denied=403,
            unchanged=opt_outs,
        ),
        Endpoint("quality_statistics", "/api/v1/quality/statistics?by=model", QUALITY, denied=403),
        Endpoint(
            "quality_warnings", "/api/v1/quality/warnings", QUALITY, denied=200, shows="poisson", fixtures=("warning",)
        ),
        Endpoint("quality_warning", "/api/v1/quality/warnings/{warning.pk}", QUALITY, denied=404),
        Endpoint(
            "quality_warning_issue",
            "/api/v1/quality/warnings/{warning.pk}/issue",
            QUALITY,
            method="POST",
            body={"route": "purchasing"},
            status=201,
            denied=403,
            unchanged=quality_issues,
        ),
        Endpoint(
            "quality_issues",
            "/api/v1/quality/issues",
            QUALITY,
            denied=200,
            shows="{quality_issue.title}",
        ),
        Endpoint(
            "quality_issue_create",
            "/api/v1/quality/issues",
            QUALITY,
            method="POST",
            body=lambda f: {"product_model": f.product_model.code, "title": "刹车异响"},
            status=201,
            denied=403,
            unchanged=quality_issues,
        ),
        Endpoint("quality_issue", "/api/v1/quality/issues/{quality_issue.pk}", QUALITY, denied=404),
        Endpoint(
            "quality_issue_transition",
            "/api/v1/quality/issues/{quality_issue.pk}/transitions",
            QUALITY,
            method="POST",
            body={"action": "investigate"},
            denied=403,
            unchanged=quality_issue_state,
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
