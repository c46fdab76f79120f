"""Surveys (SPEC §9 "survey by link/QR"): an unguessable link per completed order sent through the
outbox, answered on the phone; one answer per order, editable for 24 hours; forged or expired links
and scores 0 or 6 refused; 不满意 or a score of 2 or less opens service recovery for the director."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from followup.models import RecoveryTask, Survey
from followup.surveys import survey_answer, surveys_issue_due
from notify.models import OutboxMessage
from workorders.choices import EventKind

from .conftest import Clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(complete_on_site: Any, customer_a: Any) -> Survey:
    complete_on_site(customer_a)
    assert surveys_issue_due() == 1
    assert surveys_issue_due() == 0  # idempotent
    return Survey.objects.select_related("order").get()


def test_a_completed_order_gets_an_unguessable_link_sent_to_the_customer(survey: Survey) -> None:
    assert len(survey.token) >= 40
    invite = OutboxMessage.objects.get(template_key="survey_invite", channel="sms")
    assert f"/aftercare/survey/{survey.token}/" in invite.body


def test_an_answer_records_the_follow_up_and_can_be_changed_for_24_hours(survey: Survey, clock: Clock) -> None:
    survey_answer(token=survey.token, satisfaction="satisfied", score=5, comment="很好")
    order = survey.order
    order.refresh_from_db()
    assert order.status == "followed_up" and order.satisfaction_score == 5
    clock.advance(hours=23)
    changed = survey_answer(token=survey.token, satisfaction="satisfied", score=4)
    assert changed.score == 4
    assert order.events.filter(kind=EventKind.FOLLOW_UP).count() == 1  # one answer per order
    clock.advance(hours=2)
    with pytest.raises(ValidationError) as refused:  # answered twice after the window
        survey_answer(token=survey.token, satisfaction="unsatisfied", score=1)
    assert "token" in refused.value.message_dict
    survey.refresh_from_db()
    assert survey.score == 4


@pytest.mark.parametrize("score", [0, 6, "", "3.5", True], ids=["zero", "six", "empty", "fraction", "bool"])
def test_a_score_outside_1_to_5_is_refused_and_nothing_saved(survey: Survey, score: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        survey_answer(token=survey.token, satisfaction="satisfied", score=score)
    assert "score" in refused.value.message_dict
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_forged_and_expired_links_are_refused(survey: Survey, clock: Clock) -> None:
    with pytest.raises(ValidationError):
        survey_answer(token=survey.token[:-2] + "xx", satisfaction="satisfied", score=5)
    clock.set(survey.expires_at + timedelta(seconds=1))
    with pytest.raises(ValidationError) as refused:
        survey_answer(token=survey.token, satisfaction="satisfied", score=5)
    assert "expired" in refused.value.message_dict["token"][0]


@pytest.mark.parametrize(("rating", "score"), [("unsatisfied", 4), ("satisfied", 2)])
def test_an_unhappy_answer_opens_service_recovery_for_the_director(
    survey: Survey, director: Any, rating: str, score: int
) -> None:
    survey_answer(token=survey.token, satisfaction=rating, score=score)
    task = RecoveryTask.objects.get()
    assert task.assigned_to == director and task.is_open and task.order_id == survey.order_id
    assert OutboxMessage.objects.filter(template_key="service_recovery", recipient_user=director).exists()


def test_a_happy_answer_opens_no_recovery(survey: Survey) -> None:
    survey_answer(token=survey.token, satisfaction="satisfied", score=3)
    assert not RecoveryTask.objects.exists()


def test_the_phone_page_answers_and_refuses_a_forged_link(survey: Survey, agent: Any) -> None:
    client = Client()
    page = client.get(f"/aftercare/survey/{survey.token}/")
    assert page.status_code == 200 and survey.order.number in page.content.decode()
    bad = client.post(f"/aftercare/survey/{survey.token}/", {"satisfaction": "satisfied", "score": "6"})
    assert bad.status_code == 400
    ok = client.post(f"/aftercare/survey/{survey.token}/", {"satisfaction": "satisfied", "score": "5"})
    assert ok.status_code == 200 and 'id="survey-saved"' in ok.content.decode()
    assert client.get("/aftercare/survey/forged-token/").status_code == 404
    staff = Client()
    staff.force_login(agent)
    order_page = staff.get(f"/work-orders/{survey.order_id}/")
    assert 'id="survey-result"' in order_page.content.decode()


def test_the_customers_portal_order_page_offers_the_rating_once_completed(
    complete_on_site: Any, customer_a: Any
) -> None:
    from django.urls import reverse

    order = complete_on_site(customer_a)
    client = Client()
    client.post(reverse("portal:track"), {"number": order.number, "phone": order.contact_phone})
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    survey = Survey.objects.get(order=order)  # made for the customer who is looking at it
    assert 'id="rate-service"' in page and f"/aftercare/survey/{survey.token}/" in page
    survey_answer(token=survey.token, satisfaction="satisfied", score=5)
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="rate-service"' in page  # still editable within 24 hours
