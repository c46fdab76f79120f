"""``{% survey_link order %}``: the portal's order page offers the rating once the order is
completed (issue 18, point 10). The portal sits below follow-up and imports nothing of it; its
template loads this tag library (a template dependency only, documented in docs/followup.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

register = template.Library()


@register.simple_tag
def survey_link(order: Any) -> str:
    """The path of the order's survey page while it can be answered, else "" (the customer of a
    completed order who opens the page before the job sent the link gets one at once)."""
    from followup.surveys import survey_ensure, survey_refusal

    survey = survey_ensure(order)
    if survey is None or survey_refusal(survey, now=timezone.now()):
        return ""
    return reverse("followup:survey", args=[survey.token])
